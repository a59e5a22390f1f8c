package match

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/normalize"
)

// hit is a match before it becomes an annotation.
type hit struct {
	rule   int32
	t0, t1 int // token range [t0, t1)
	n0, n1 int // normalized byte range
}

// scratch holds the per-request buffers, reused through a pool so a
// steady stream of requests allocates little.
type scratch struct {
	text   normalize.Text
	toks   []token
	cands  []candidate
	hits   []hit
	hashes []uint64 // word hashes for term look-ups, computed on demand (0: not yet)
	groups [][]hit  // accepted hits by narrative group, for resolveOverlaps
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Options tune one Annotate call.
type Options struct {
	// Lang is the text's language (en, ru, uk); empty means detect it.
	Lang string
	// Now decides which rules are inside their validity window; zero means time.Now.
	Now time.Time
	// IgnoreValidity matches rules outside their validity window too (example checks).
	IgnoreValidity bool
}

// Annotate finds the framing in text. It returns the reader-facing result
// (live rules only) and, separately, the hits of shadow rules, which are
// counted for editors but never shown to readers.
func (m *Matcher) Annotate(text string, opts Options) (res contextlens.Result, shadow []contextlens.Annotation) {
	s := scratchPool.Get().(*scratch)
	defer scratchPool.Put(s)
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	lang := opts.Lang
	if lang == "" {
		lang = DetectLanguage(text)
	}
	res = contextlens.Result{Ruleset: m.version, Lang: lang, Annotations: []contextlens.Annotation{}}

	s.text.Normalize(text)
	norm := s.text.Norm
	s.toks, s.cands = tokenize(norm, s.text.Words(), m.ix, s.toks[:0], s.cands[:0])
	s.hits = s.hits[:0]
	for _, c := range s.cands {
		t0 := int(c.tok)
		var next uint64
		hasNext := t0+1 < len(s.toks) && s.toks[t0+1].brk == breakSoft
		if hasNext {
			next = load8(norm, int(s.toks[t0+1].start))
		}
		for _, e := range m.ix.lookup(c.key) {
			if e.mask != 0 && (!hasNext || (next^e.next)&e.mask != 0) {
				continue // the second word cannot match
			}
			end, ok := m.phrases[e.phrase].matchAt(norm, s.toks, t0)
			if !ok {
				continue
			}
			s.hits = append(s.hits, hit{rule: m.owner[e.phrase], t0: t0, t1: end,
				n0: int(s.toks[t0].start), n1: int(s.toks[end-1].end)})
		}
	}
	if len(m.regexes) > 0 {
		s.hits = m.regexHits(norm, s.toks, s.hits)
	}
	s.hashes = slices.Grow(s.hashes[:0], len(s.toks))[:len(s.toks)]
	clear(s.hashes)
	w := window{norm: norm, toks: s.toks, hashes: s.hashes}
	kept := s.hits[:0]
	for _, h := range s.hits {
		r := &m.rules[h.rule]
		if !opts.IgnoreValidity && !r.ActiveAt(opts.Now) {
			continue
		}
		if m.contextAllows(r, w, h) {
			kept = append(kept, h)
		}
	}
	kept = m.resolveOverlaps(kept, s)
	s.hits = kept
	if len(kept) == 0 {
		return res, nil
	}
	anns := m.annotations(text, &s.text, s.toks, s.hashes, kept)
	for _, a := range anns {
		if a.Shadow {
			shadow = append(shadow, a)
		} else {
			res.Annotations = append(res.Annotations, a)
		}
	}
	for i := range res.Annotations {
		res.Annotations[i].ID = "a" + strconv.Itoa(i+1)
	}
	return res, shadow
}

// sentence returns the token range of the sentence around toks[t0:t1].
func sentence(toks []token, t0, t1 int) (lo, hi int) {
	lo = t0
	for lo > 0 && toks[lo].brk != breakSentence {
		lo--
	}
	hi = t1
	for hi < len(toks) && toks[hi].brk != breakSentence {
		hi++
	}
	return lo, hi
}

// contextAllows applies a rule's near and unless windows to a hit.
func (m *Matcher) contextAllows(r *compiledRule, w window, h hit) bool {
	if r.near == nil && r.unless == nil {
		return true
	}
	slo, shi := sentence(w.toks, h.t0, h.t1)
	if r.near != nil {
		lo, hi := max(slo, h.t0-r.nearWin), min(shi, h.t1+r.nearWin)
		if !r.near.foundIn(w, lo, hi) {
			return false
		}
	}
	if r.unless != nil {
		lo, hi := max(slo, h.t0-r.unlessW), min(shi, h.t1+r.unlessW)
		if r.unless.foundIn(w, lo, hi) {
			return false
		}
	}
	return true
}

// resolveOverlaps keeps, among overlapping hits of the same narrative, the
// most specific (longest) one. Hits of different narratives may overlap, and
// shadow hits never suppress live ones (nor the reverse), so a rule on trial
// cannot change what readers see.
func (m *Matcher) resolveOverlaps(hits []hit, s *scratch) []hit {
	if len(hits) < 2 {
		return hits
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(
			cmp.Compare(b.n1-b.n0, a.n1-a.n0), // longest first
			cmp.Compare(a.n0, b.n0),
			cmp.Compare(a.rule, b.rule),
		)
	})
	// Accepted hits by group (narrative, shadow or not): a hit is only
	// compared with the few accepted in its own group.
	if n := 2 * m.narratives; len(s.groups) < n {
		s.groups = make([][]hit, n)
	}
	for i := range s.groups {
		s.groups[i] = s.groups[i][:0]
	}
	kept := hits[:0]
	for _, h := range hits {
		r := &m.rules[h.rule]
		g := 2 * int(r.narrative)
		if r.Status == contextlens.StatusShadow {
			g++
		}
		clash := false
		for _, k := range s.groups[g] {
			if k.n0 < h.n1 && h.n0 < k.n1 {
				clash = true
				break
			}
		}
		if !clash {
			s.groups[g] = append(s.groups[g], h)
			kept = append(kept, h)
		}
	}
	slices.SortFunc(kept, func(a, b hit) int { return cmp.Or(cmp.Compare(a.n0, b.n0), cmp.Compare(a.n1, b.n1)) })
	return kept
}

// quoteContext is how much text around a hit goes into prefix and suffix.
const quoteContext = 32

// annotations turns hits into annotations with positions in the original
// text, in UTF-16 code units.
func (m *Matcher) annotations(text string, nt *normalize.Text, toks []token, hashes []uint64, hits []hit) []contextlens.Annotation {
	anns := make([]contextlens.Annotation, len(hits))
	offsets := make([]int, 0, 2*len(hits))
	spans := make([][2]int, len(hits))
	for i, h := range hits {
		a, b := nt.OrigSpan(h.n0, h.n1)
		spans[i] = [2]int{a, b}
		offsets = append(offsets, a, b)
	}
	u16 := utf16Offsets(text, offsets)
	// Hits in one sentence share its reporting cues: look them up once.
	cued := map[int]bool{}
	w := window{norm: nt.Norm, toks: toks, hashes: hashes}
	for i, h := range hits {
		r := &m.rules[h.rule]
		a, b := spans[i][0], spans[i][1]
		anns[i] = contextlens.Annotation{
			Rule:        r.ID,
			Narrative:   r.Narrative,
			Category:    r.Category,
			Severity:    r.Severity,
			Title:       r.Title,
			Summary:     r.Summary,
			Explanation: r.Explanation,
			Sources:     r.Sources,
			Attribution: attribution(w, h, cued),
			Quote: contextlens.Quote{
				Exact:  text[a:b],
				Prefix: lastRunes(text[:a], quoteContext),
				Suffix: firstRunes(text[b:], quoteContext),
			},
			Position: contextlens.Position{Start: u16[2*i], End: u16[2*i+1]},
			Shadow:   r.Status == contextlens.StatusShadow,
		}
		if anns[i].Sources == nil {
			anns[i].Sources = []contextlens.Source{}
		}
	}
	return anns
}

// utf16Offsets converts byte offsets of text into UTF-16 code unit offsets
// (JavaScript string indices) in one pass over the text: every byte that
// starts a character is one unit, and a four-byte character two.
func utf16Offsets(text string, offsets []int) []int {
	order := make([]int, len(offsets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(offsets[a], offsets[b]) })
	out := make([]int, len(offsets))
	pos, units := 0, 0
	for _, k := range order {
		for ; pos < offsets[k]; pos++ {
			if b := text[pos]; b < 0x80 || b >= 0xC0 {
				units++
				if b >= 0xF0 {
					units++
				}
			}
		}
		out[k] = units
	}
	return out
}

func lastRunes(s string, n int) string {
	i := len(s)
	for k := 0; k < n && i > 0; k++ {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return s[i:]
}

func firstRunes(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
