package match

import (
	"cmp"
	"encoding/binary"
	"math/bits"
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
	group  int32 // the rule's overlap group (compiledRule.group)
	t0, t1 int32 // token range [t0, t1)
	n0, n1 int32 // normalized byte range
	// foreign: the rule is not written for the text's language, so among
	// hits of equal length its card yields to one in the reader's language.
	foreign bool
}

// scratch holds the per-request buffers, reused through a pool so a
// steady stream of requests allocates little.
type scratch struct {
	text   normalize.Text
	toks   []token
	cands  []candidate
	hits   []hit
	hashes []uint64 // word hashes for term look-ups, computed on demand (0: not yet)
	// resolveOverlaps: one cluster of overlapping hits, and the tokens its
	// accepted hits of one group cover (all clear between clusters).
	cluster []hit
	taken   []uint64
	carded  []uint64 // annotations: rules whose card is still to be added (all clear between calls)
	// regexHits: the sentences around each regex rule's triggers, and the
	// literals of the prefilter trees present in the text.
	spans   map[int32][][2]int
	present []uint64
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
			s.hits = append(s.hits, hit{rule: m.owner[e.phrase], t0: int32(t0), t1: int32(end),
				n0: s.toks[t0].start, n1: s.toks[end-1].end})
		}
	}
	if len(m.regexes) > 0 {
		m.regexHits(s)
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
			h.group = r.group
			h.foreign = !slices.Contains(r.Languages, lang)
			kept = append(kept, h)
		}
	}
	kept = m.resolveOverlaps(kept, s)
	s.hits = kept
	if len(kept) == 0 {
		return res, nil
	}
	shadow = m.annotations(text, s, kept, &res)
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
	t0, t1 := int(h.t0), int(h.t1)
	slo, shi := sentence(w.toks, t0, t1)
	if r.near != nil {
		lo, hi := max(slo, t0-r.nearWin), min(shi, t1+r.nearWin)
		if !r.near.foundIn(w, lo, hi) {
			return false
		}
	}
	if r.unless != nil {
		lo, hi := max(slo, t0-r.unlessW), min(shi, t1+r.unlessW)
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
//
// Hits are sorted by position and cut into clusters, the runs of hits
// joined by overlaps. A hit can only lose to a hit of its own cluster, so
// the longest-first choice runs per cluster; most clusters are a single hit
// and cost nothing. Comparing each hit with every accepted hit of its
// narrative made dense articles quadratic (issue 6).
func (m *Matcher) resolveOverlaps(hits []hit, s *scratch) []hit {
	if len(hits) < 2 {
		return hits
	}
	slices.SortFunc(hits, byPosition)
	kept := hits[:0] // kept never passes the cluster being read
	for i := 0; i < len(hits); {
		j, end := i+1, hits[i].n1
		for j < len(hits) && hits[j].n0 < end {
			end = max(end, hits[j].n1)
			j++
		}
		if j == i+1 {
			kept = append(kept, hits[i])
		} else {
			kept = s.resolveCluster(hits[i:j], kept)
		}
		i = j
	}
	return kept
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// byPosition orders hits as annotations are: by start, then end, then rule.
func byPosition(a, b hit) int {
	if a.n0 != b.n0 {
		return cmp.Compare(a.n0, b.n0)
	}
	if a.n1 != b.n1 {
		return cmp.Compare(a.n1, b.n1)
	}
	return cmp.Compare(a.rule, b.rule)
}

// resolveCluster appends to kept the hits of one cluster that win: by
// group, longest first, each accepted when none of its words is taken by an
// accepted hit of its group (a bitset of the text's words answers that).
func (s *scratch) resolveCluster(cluster, kept []hit) []hit {
	c := append(s.cluster[:0], cluster...) // kept may overwrite cluster
	s.cluster = c
	slices.SortFunc(c, func(a, b hit) int {
		if a.group != b.group {
			return cmp.Compare(a.group, b.group)
		}
		if la, lb := a.n1-a.n0, b.n1-b.n0; la != lb {
			return cmp.Compare(lb, la) // longest first
		}
		if a.foreign != b.foreign {
			return cmp.Compare(boolInt(a.foreign), boolInt(b.foreign)) // the text's language first
		}
		return byPosition(a, b)
	})
	if words := (len(s.toks) + 63) / 64; len(s.taken) < words {
		s.taken = make([]uint64, words) // all clear: every cluster clears what it sets
	}
	first := len(kept)
	groupStart := first
	for i, h := range c {
		if i > 0 && h.group != c[i-1].group {
			for _, k := range kept[groupStart:] {
				markTokens(s.taken, k.t0, k.t1, false)
			}
			groupStart = len(kept)
		}
		if !anyTokenTaken(s.taken, h.t0, h.t1) {
			markTokens(s.taken, h.t0, h.t1, true)
			kept = append(kept, h)
		}
	}
	for _, k := range kept[groupStart:] {
		markTokens(s.taken, k.t0, k.t1, false)
	}
	slices.SortFunc(kept[first:], byPosition)
	return kept
}

func anyTokenTaken(set []uint64, t0, t1 int32) bool {
	for t := t0; t < t1; t++ {
		if set[t/64]&(1<<(t%64)) != 0 {
			return true
		}
	}
	return false
}

func markTokens(set []uint64, t0, t1 int32, on bool) {
	for t := t0; t < t1; t++ {
		if on {
			set[t/64] |= 1 << (t % 64)
		} else {
			set[t/64] &^= 1 << (t % 64)
		}
	}
}

// quoteContext is how much text around a hit goes into prefix and suffix.
const quoteContext = 32

// annotations turns hits (sorted by position) into the result's
// annotations and cards, with positions in the original text in UTF-16
// code units, and returns the shadow hits apart. Its allocations are the
// result's own (the annotation slices, the ids, the cards), however many
// hits there are.
func (m *Matcher) annotations(text string, s *scratch, hits []hit, res *contextlens.Result) (shadow []contextlens.Annotation) {
	nt, toks := &s.text, s.toks
	// Count the live hits and the rules they are of (a bit per rule in
	// s.carded, cleared again as the cards are filled in below).
	live, cards := 0, 0
	if words := (len(m.rules) + 63) / 64; len(s.carded) < words {
		s.carded = make([]uint64, words)
	}
	for _, h := range hits {
		if m.rules[h.rule].Status == contextlens.StatusShadow {
			continue
		}
		live++
		if w, bit := h.rule/64, uint64(1)<<(h.rule%64); s.carded[w]&bit == 0 {
			s.carded[w] |= bit
			cards++
		}
	}
	res.Annotations = make([]contextlens.Annotation, 0, live)
	if cards > 0 {
		res.Cards = make(contextlens.Cards, cards)
	}
	if live < len(hits) {
		shadow = make([]contextlens.Annotation, 0, len(hits)-live)
	}
	ids := annotationIDs(live)
	w := window{norm: nt.Norm, toks: toks, hashes: s.hashes}
	var u16 utf16Cursor
	cues := cueMemo{sentence: -1}
	for _, h := range hits {
		r := &m.rules[h.rule]
		a, b := nt.OrigSpan(int(h.n0), int(h.n1))
		start := u16.at(text, a)
		ann := contextlens.Annotation{
			Rule:        r.ID,
			Narrative:   r.Narrative,
			Category:    r.Category,
			Severity:    r.Severity,
			Attribution: attribution(w, h, &cues),
			Quote: contextlens.Quote{
				Exact:  text[a:b],
				Prefix: lastRunes(text[:a], quoteContext),
				Suffix: firstRunes(text[b:], quoteContext),
			},
			Position: contextlens.Position{Start: start, End: start + utf16Len(text[a:b])},
		}
		if r.Status == contextlens.StatusShadow {
			ann.Shadow = true
			shadow = append(shadow, ann)
			continue
		}
		ann.ID = ids.next()
		res.Annotations = append(res.Annotations, ann)
		if w, bit := h.rule/64, uint64(1)<<(h.rule%64); s.carded[w]&bit != 0 {
			s.carded[w] &^= bit
			res.Cards[r.ID] = r.card
		}
	}
	return shadow
}

// idList hands out the annotation ids "a1", "a2", ... as slices of one
// string, so a result with many annotations allocates its ids once.
type idList struct {
	buf  string
	ends []int32
	i    int
}

func annotationIDs(n int) *idList {
	l := &idList{ends: make([]int32, n)}
	b := make([]byte, 0, n*5)
	for i := range n {
		b = append(b, 'a')
		b = strconv.AppendInt(b, int64(i+1), 10)
		l.ends[i] = int32(len(b))
	}
	l.buf = string(b)
	return l
}

func (l *idList) next() string {
	start := int32(0)
	if l.i > 0 {
		start = l.ends[l.i-1]
	}
	end := l.ends[l.i]
	l.i++
	return l.buf[start:end]
}

// utf16Cursor converts byte offsets of a text into UTF-16 code units
// (JavaScript string indices), reading the text once for offsets that come
// in increasing order.
type utf16Cursor struct{ pos, units int }

func (c *utf16Cursor) at(text string, off int) int {
	if off < c.pos {
		c.pos, c.units = 0, 0 // out of order: count again from the start
	}
	c.units += utf16Len(text[c.pos:off])
	c.pos = off
	return c.units
}

// utf16Len is the length of s in UTF-16 code units: every byte that starts
// a character is one unit, and a four-byte character two. It counts eight
// bytes at a time (a result's positions read every byte of the text once).
func utf16Len(s string) int {
	n := 0
	for len(s) >= 8 {
		x := binary.LittleEndian.Uint64([]byte(s[:8]))
		n += 8 - bits.OnesCount64(continuationBits(x)) + bits.OnesCount64(x&(x<<1)&(x<<2)&(x<<3)&highBits)
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x80 || b >= 0xC0 {
			n++
			if b >= 0xF0 {
				n++
			}
		}
	}
	return n
}

const highBits = 0x8080808080808080

// continuationBits has the high bit of every byte of x that continues a
// UTF-8 character (10xxxxxx).
func continuationBits(x uint64) uint64 { return x & highBits &^ (x << 1) }

// runeStarts is the number of bytes of s[i:i+8] that start a character.
func runeStarts(s string, i int) int {
	return 8 - bits.OnesCount64(continuationBits(binary.LittleEndian.Uint64([]byte(s[i:i+8]))))
}

// lastRunes returns the last n characters of s. It counts character
// starts instead of decoding, eight bytes at a time while far from n (a
// hit's prefix and suffix are built for every annotation).
func lastRunes(s string, n int) string {
	i := len(s)
	for i >= 8 {
		k := runeStarts(s, i-8)
		if k >= n {
			break
		}
		n -= k
		i -= 8
	}
	for ; i > 0 && n > 0; n-- {
		i-- // i may be inside a character the chunks did not count: its start is found here
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
	}
	return s[i:]
}

// firstRunes returns the first n characters of s.
func firstRunes(s string, n int) string {
	i := 0
	for i+8 <= len(s) {
		k := runeStarts(s, i)
		if k >= n {
			break
		}
		n -= k
		i += 8
	}
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++ // the rest of a character counted in the last chunk
	}
	for ; i < len(s) && n > 0; n-- {
		i++
		for i < len(s) && !utf8.RuneStart(s[i]) {
			i++
		}
	}
	return s[:i]
}
