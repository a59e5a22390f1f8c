package match

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strings"
	"testing"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"
)

// The benchmarks of the engine end to end (normalization included), with
// two baselines in the same run so ratios can be read off:
//
//	naive-regexp: one case-insensitive regexp per phrase (on a sample of
//	              phrases; its cost grows linearly with the number of phrases)
//	raw-ahocorasick: a leading Go Aho-Corasick over the already lower-cased
//	              text, no normalization, no word boundaries, no conditions
//
// go test -run XXX -bench . -benchmem ./backend/match

var benchSizes = []struct {
	name  string
	bytes int
}{{"20KB", 20 << 10}, {"200KB", 200 << 10}}

var benchRuleCounts = []int{1000, 10000}

func BenchmarkAnnotate(b *testing.B) {
	for _, n := range benchRuleCounts {
		m := mustCompile(b, genRules(rand.New(rand.NewPCG(7, uint64(n))), n)...)
		for _, size := range benchSizes {
			text := genProse(rand.New(rand.NewPCG(3, 4)), size.bytes)
			b.Run(fmt.Sprintf("rules=%d/text=%s", n, size.name), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					m.Annotate(text, Options{Lang: "en"})
				}
			})
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	for _, n := range benchRuleCounts {
		rules := genRules(rand.New(rand.NewPCG(7, uint64(n))), n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			var m *Matcher
			for b.Loop() {
				var err error
				if m, err = Compile(rules, CompileOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(heapOf(func() any { m, _ := Compile(rules, CompileOptions{}); return m }))/(1<<20), "MB-compiled")
			_ = m
		})
	}
}

// heapOf measures the live heap a value built by build keeps.
func heapOf(build func() any) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	if after.HeapAlloc < before.HeapAlloc {
		return 0
	}
	return after.HeapAlloc - before.HeapAlloc
}

// allPhrases returns the phrases of generated rules as plain lower-case
// literals (stems without '*'), the input of the baselines.
func allPhrases(n int) []string {
	var out []string
	for _, r := range genRules(rand.New(rand.NewPCG(7, uint64(n))), n) {
		for _, p := range r.Match.Phrases {
			out = append(out, strings.ToLower(strings.ReplaceAll(p, "*", "")))
		}
	}
	return out
}

func BenchmarkBaselineNaiveRegexp(b *testing.B) {
	const sample = 100
	phrases := allPhrases(10000)[:sample]
	res := make([]*regexp.Regexp, len(phrases))
	for i, p := range phrases {
		res[i] = regexp.MustCompile(`(?i)\b` + regexp.QuoteMeta(p))
	}
	text := genProse(rand.New(rand.NewPCG(3, 4)), 20<<10)
	b.Run(fmt.Sprintf("phrases=%d/text=20KB", sample), func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			for _, re := range res {
				re.FindAllStringIndex(text, -1)
			}
		}
		// At 10,000 rules (30,000+ phrases) the cost scales linearly.
		scale := float64(len(allPhrases(10000))) / sample
		mbps := float64(len(text)) * float64(b.N) / b.Elapsed().Seconds() / 1e6
		b.ReportMetric(mbps/scale, "MB/s-at-10000-rules")
	})
}

func BenchmarkBaselineRawAhoCorasick(b *testing.B) {
	for _, n := range benchRuleCounts {
		builder := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{MatchKind: ahocorasick.LeftMostLongestMatch, DFA: true})
		ac := builder.Build(allPhrases(n))
		text := strings.ToLower(genProse(rand.New(rand.NewPCG(3, 4)), 20<<10))
		b.Run(fmt.Sprintf("rules=%d/text=20KB", n), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				ac.FindAll(text)
			}
		})
	}
}

// BenchmarkBaselineLowercase is the cost of strings.ToLower alone, the
// least any normalization must do.
func BenchmarkBaselineLowercase(b *testing.B) {
	text := genProse(rand.New(rand.NewPCG(3, 4)), 20<<10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = bytes.ToLower([]byte(text))
	}
}

// BenchmarkStages splits the engine's time: normalization alone, and
// normalization plus the tokenizing scan with index look-ups.
func BenchmarkStages(b *testing.B) {
	m := mustCompile(b, genRules(rand.New(rand.NewPCG(7, 10000)), 10000)...)
	text := genProse(rand.New(rand.NewPCG(3, 4)), 20<<10)
	s := new(scratch)
	b.Run("normalize/text=20KB", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			s.text.Normalize(text)
		}
	})
	b.Run("normalize+scan/rules=10000/text=20KB", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			s.text.Normalize(text)
			s.toks, s.cands = tokenize(s.text.Norm, s.text.Words(), m.ix, s.toks[:0], s.cands[:0])
		}
	})
}
