// Package eval scores a rule set on a labelled corpus (the format of
// shared eval/dev.jsonl): span precision, recall and F1, false alarms on
// negative lines, and narrative agreement, overall, per language and per
// narrative. Editors run it before publishing.
package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/match"
)

// Line is one labelled snippet.
type Line struct {
	ID     string   `json:"id"`
	Lang   string   `json:"lang"`
	Text   string   `json:"text"`
	Expect []Expect `json:"expect"`
	Note   string   `json:"note"`
}

// Expect is one expected framing: an exact substring of the text.
type Expect struct {
	Phrase    string `json:"phrase"`
	Narrative string `json:"narrative"`
}

// ReadCorpus reads JSON lines; blank lines are skipped.
func ReadCorpus(r io.Reader) ([]Line, error) {
	var lines []Line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		for _, e := range l.Expect {
			if !strings.Contains(l.Text, e.Phrase) {
				return nil, fmt.Errorf("line %d (%s): phrase %q is not in the text", n, l.ID, e.Phrase)
			}
		}
		lines = append(lines, l)
	}
	return lines, sc.Err()
}

// Counts are the raw tallies behind the scores.
type Counts struct {
	TP, FP, FN        int // spans
	NegLines, Alarms  int // negative lines, and those with any prediction
	Matched, SameNarr int // matched expected phrases, and those with the right narrative
	// Extra counts predictions on a positive line that overlap no expected
	// phrase but have the narrative of one of the line's framings (a second
	// span of the same framing). They count as correct: neither TP nor FP.
	Extra int
}

// Precision = TP / (TP + FP).
func (c Counts) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall = TP / (TP + FN).
func (c Counts) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// FalseAlarmRate is the share of negative lines with at least one prediction.
func (c Counts) FalseAlarmRate() float64 { return ratio(c.Alarms, c.NegLines) }

// NarrativeAgreement is the share of matched phrases whose predicted narrative is right.
func (c Counts) NarrativeAgreement() float64 { return ratio(c.SameNarr, c.Matched) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (c *Counts) add(o Counts) {
	c.TP += o.TP
	c.FP += o.FP
	c.FN += o.FN
	c.NegLines += o.NegLines
	c.Alarms += o.Alarms
	c.Matched += o.Matched
	c.SameNarr += o.SameNarr
	c.Extra += o.Extra
}

// Finding is a miss or a false hit, for --verbose.
type Finding struct {
	Line      string
	Kind      string // "miss", "false-hit", "wrong-narrative"
	Text      string
	Narrative string
}

// Report is the outcome of scoring a corpus.
type Report struct {
	Total       Counts
	ByLang      map[string]*Counts
	ByNarrative map[string]*Counts
	Findings    []Finding
}

type span struct {
	start, end int // code points
	narrative  string
}

// Score runs m over every line and scores the predictions. Positions are
// compared in code points, as the corpus format defines them.
func Score(m *match.Matcher, lines []Line) Report {
	rep := Report{ByLang: map[string]*Counts{}, ByNarrative: map[string]*Counts{}}
	bucket := func(mp map[string]*Counts, k string) *Counts {
		if mp[k] == nil {
			mp[k] = &Counts{}
		}
		return mp[k]
	}
	for _, l := range lines {
		res, _ := m.Annotate(l.Text, match.Options{Lang: l.Lang})
		var pred []span
		for _, a := range res.Annotations {
			pred = append(pred, span{utf16ToCodePoint(l.Text, a.Position.Start), utf16ToCodePoint(l.Text, a.Position.End), a.Narrative})
		}
		var line Counts
		if len(l.Expect) == 0 {
			line.NegLines = 1
			if len(pred) > 0 {
				line.Alarms = 1
			}
		}
		used := make([]bool, len(pred))
		for _, e := range l.Expect {
			b := strings.Index(l.Text, e.Phrase)
			ex := span{utf8.RuneCountInString(l.Text[:b]), utf8.RuneCountInString(l.Text[:b]) + utf8.RuneCountInString(e.Phrase), e.Narrative}
			nc := bucket(rep.ByNarrative, e.Narrative)
			hit, same := false, false
			for i, p := range pred {
				if p.start < ex.end && ex.start < p.end {
					used[i] = true
					hit = true
					same = same || p.narrative == e.Narrative
				}
			}
			if hit {
				line.TP++
				line.Matched++
				nc.TP++
				nc.Matched++
				if same {
					line.SameNarr++
					nc.SameNarr++
				} else {
					rep.Findings = append(rep.Findings, Finding{l.ID, "wrong-narrative", e.Phrase, e.Narrative})
				}
			} else {
				line.FN++
				nc.FN++
				rep.Findings = append(rep.Findings, Finding{l.ID, "miss", e.Phrase, e.Narrative})
			}
		}
		for i, p := range pred {
			if !used[i] && slices.ContainsFunc(l.Expect, func(e Expect) bool { return e.Narrative == p.narrative }) {
				line.Extra++
				bucket(rep.ByNarrative, p.narrative).Extra++
				continue
			}
			if !used[i] {
				line.FP++
				bucket(rep.ByNarrative, p.narrative).FP++
				rs := []rune(l.Text)
				rep.Findings = append(rep.Findings, Finding{l.ID, "false-hit", string(rs[p.start:p.end]), p.narrative})
			}
		}
		rep.Total.add(line)
		bucket(rep.ByLang, l.Lang).add(line)
	}
	return rep
}

// utf16ToCodePoint converts a UTF-16 offset into a code point offset.
func utf16ToCodePoint(s string, u16 int) int {
	units, cps := 0, 0
	for _, r := range s {
		if units >= u16 {
			break
		}
		units += len(utf16.Encode([]rune{r}))
		cps++
	}
	return cps
}

// Write prints the report as a table; verbose adds every finding.
func (rep Report) Write(w io.Writer, verbose bool) {
	row := func(name string, c Counts) {
		fmt.Fprintf(w, "%-28s %6.3f %6.3f %6.3f %4d %4d %4d   %5.1f%% (%d/%d)   %6.3f\n", name,
			c.Precision(), c.Recall(), c.F1(), c.TP, c.FP, c.FN,
			100*c.FalseAlarmRate(), c.Alarms, c.NegLines, c.NarrativeAgreement())
	}
	fmt.Fprintf(w, "%-28s %6s %6s %6s %4s %4s %4s   %-16s %s\n", "", "P", "R", "F1", "TP", "FP", "FN", "false alarms", "narrative")
	row("all", rep.Total)
	for _, k := range sortedKeys(rep.ByLang) {
		row("lang "+k, *rep.ByLang[k])
	}
	for _, k := range sortedKeys(rep.ByNarrative) {
		row("narrative "+k, *rep.ByNarrative[k])
	}
	fmt.Fprintf(w, "a second span of a line's own narrative on a positive line counts as correct, neither TP nor FP: %d such\n", rep.Total.Extra)
	if verbose {
		for _, f := range rep.Findings {
			fmt.Fprintf(w, "%s %-16s %-28s %q\n", f.Line, f.Kind, f.Narrative, f.Text)
		}
	}
}

func sortedKeys(m map[string]*Counts) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
