package match

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/rulefile"
)

// Dense and real-world benchmarks (issue 6): the headline figures above
// use generated phrase-only rules that rarely hit. Real articles hit the
// real rules base, with its regexes and conditions, and a dense text pays
// for every hit: these show whether the cost per hit stays flat.
//
// go test -run XXX -bench 'Dense|RealRules' -benchmem ./backend/match

// denseRules returns n rules: n-len(dense) generated ones plus one rule
// for each of a tenth of the prose vocabulary (single common words and
// short phrases that occur in genProse), spread over narratives, so about
// one word in ten of the prose is a hit (a hit every 60-80 bytes).
func denseRules(n, narratives int) []contextlens.Rule {
	var dense []contextlens.Rule
	for li, words := range [][]string{enWords, ruWords, ukWords} {
		for i := 3; i < len(words); i += 10 {
			w := strings.ToLower(words[i])
			phrases := []string{w}
			if i+1 < len(words) {
				phrases = append(phrases, w+" "+strings.ToLower(words[i+1]))
			}
			id := fmt.Sprintf("dense-%d-%d", li, i)
			dense = append(dense, rule(id, fmt.Sprintf("n%d", len(dense)%narratives), phrases...))
		}
	}
	gen := genRules(rand.New(rand.NewPCG(7, uint64(n))), n-len(dense))
	for i := range gen {
		gen[i].Narrative = fmt.Sprintf("n%d", i%narratives)
	}
	return append(gen, dense...)
}

func BenchmarkDense(b *testing.B) {
	for _, narratives := range []int{1, 100} {
		m := mustCompile(b, denseRules(10000, narratives)...)
		for _, size := range benchSizes {
			text := genProse(rand.New(rand.NewPCG(3, 4)), size.bytes)
			res, _ := m.Annotate(text, Options{Lang: "en"})
			if len(res.Annotations) == 0 {
				b.Fatal("dense text has no hits")
			}
			b.Run(fmt.Sprintf("rules=10000/narratives=%d/text=%s", narratives, size.name), func(b *testing.B) {
				b.SetBytes(int64(len(text)))
				b.ReportAllocs()
				for b.Loop() {
					m.Annotate(text, Options{Lang: "en"})
				}
				b.ReportMetric(float64(len(text))/float64(len(res.Annotations)), "bytes/hit")
			})
		}
	}
}

// realRules compiles the project's rules base.
func realRules(b *testing.B) *Matcher {
	files, problems, err := rulefile.LoadDir("../../rules")
	if err != nil || len(problems) > 0 {
		b.Fatal(err, problems)
	}
	return mustCompile(b, rulefile.Rules(files)...)
}

// BenchmarkRealRules annotates the fixture articles of
// rules/testdata/articles (original news-like articles in en, ru and uk,
// about 5 KB each) with the real rules base.
func BenchmarkRealRules(b *testing.B) {
	m := realRules(b)
	paths, _ := filepath.Glob("../../rules/testdata/articles/*.txt")
	if len(paths) == 0 {
		b.Fatal("no fixture articles in rules/testdata/articles")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		text := string(data)
		res, _ := m.Annotate(text, Options{})
		b.Run(strings.TrimSuffix(filepath.Base(p), ".txt"), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				m.Annotate(text, Options{})
			}
			b.ReportMetric(float64(len(res.Annotations)), "hits")
		})
	}
}
