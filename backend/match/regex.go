package match

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// regexRule is a vetted RE2 expression with the literals that every match
// of it contains. RE2 runs in linear time, but a rule's expression over a
// whole article costs about a millisecond per 20 KB; the literals are
// searched for first (a fast byte search), and the expression runs only
// on the sentences that contain one.
type regexRule struct {
	re       *regexp.Regexp
	literals [][]byte // every match contains at least one of these
	// needs is all that every match contains (literals joined by and/or),
	// checked on a sentence before the expression runs on it: the trigger
	// literals alone are often common words ("not", «не»), which made the
	// expressions run on nearly every sentence (issue 6).
	needs *litTree
}

// minLiteral is the shortest required literal worth searching for.
const minLiteral = 3

// maxSentenceSpan bounds the text around a literal the expression runs on.
const maxSentenceSpan = 1000

func compileRegex(src string) (*regexRule, error) {
	if len(src) > maxRegexLen {
		return nil, fmt.Errorf("longer than %d bytes", maxRegexLen)
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("not a valid RE2 expression: %v", err)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("matches the empty string")
	}
	parsed, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("not a valid RE2 expression: %v", err)
	}
	lits := requiredLiterals(parsed.Simplify())
	if lits == nil || minLen(lits) < minLiteral {
		return nil, fmt.Errorf("every match must contain a literal of at least %d bytes (a word or stem, or one of a few alternatives), so the expression can be looked for quickly", minLiteral)
	}
	out := make([][]byte, len(lits))
	for i, l := range lits {
		out[i] = []byte(l)
	}
	return &regexRule{re: re, literals: out, needs: prefilterOf(parsed.Simplify())}, nil
}

// litTree is what every match of an expression contains, in the manner of
// RE2's FilteredRE2: a literal, all of subs (and), or one of them (or).
// A nil tree says nothing (anything may match).
type litTree struct {
	lit  []byte
	atom int32 // the literal's number in the Matcher's literalIndex
	and  bool
	subs []*litTree
}

// prefilterOf builds the tree of re's required literals, the way RE2's
// prefilter does: a part that matches one of a few exact strings
// ("n(?:ot|ever)" after the parser factors "not|never") is kept as that
// set, joined with its neighbours while the set stays small, and becomes
// an or of literals only when it must; literals shorter than minLiteral,
// large classes and repeats say nothing.
func prefilterOf(re *syntax.Regexp) *litTree {
	return prefilterInfo(re).tree()
}

// maxExact bounds the exact strings a part of an expression is kept as.
const maxExact = 16

// prefilterPart is what is known of a part of an expression: either the
// exact strings it matches (exact true), or a tree its matches satisfy.
type prefilterPart struct {
	exact   bool
	strs    []string
	matches *litTree
}

func exactPart(strs ...string) prefilterPart { return prefilterPart{exact: true, strs: strs} }

// tree turns the part into a tree: exact strings become an or of
// literals, or nothing when one of them is too short to look for.
func (p prefilterPart) tree() *litTree {
	if !p.exact {
		return p.matches
	}
	var subs []*litTree
	for _, s := range p.strs {
		if len(s) < minLiteral {
			return nil
		}
		if !slices.ContainsFunc(subs, func(t *litTree) bool { return string(t.lit) == s }) {
			subs = append(subs, &litTree{lit: []byte(s)})
		}
	}
	if len(subs) == 1 {
		return subs[0]
	}
	return &litTree{subs: subs}
}

func andTrees(a, b *litTree) *litTree {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	var subs []*litTree
	for _, t := range []*litTree{a, b} {
		if t.and {
			subs = append(subs, t.subs...)
		} else {
			subs = append(subs, t)
		}
	}
	return &litTree{and: true, subs: subs}
}

func prefilterInfo(re *syntax.Regexp) prefilterPart {
	switch re.Op {
	case syntax.OpLiteral:
		lit := string(re.Rune)
		if re.Flags&syntax.FoldCase != 0 {
			lit = strings.ToLower(lit) // the text is lower-cased
		}
		return exactPart(lit)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactPart("")
	case syntax.OpCharClass:
		var strs []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(strs) == 4 {
					return prefilterPart{} // a large class says nothing
				}
				strs = append(strs, strings.ToLower(string(r)))
			}
		}
		return exactPart(strs...)
	case syntax.OpCapture:
		return prefilterInfo(re.Sub[0])
	case syntax.OpQuest:
		if sub := prefilterInfo(re.Sub[0]); sub.exact && len(sub.strs) < maxExact {
			return exactPart(append(sub.strs, "")...)
		}
		return prefilterPart{}
	case syntax.OpPlus:
		return prefilterPart{matches: prefilterInfo(re.Sub[0]).tree()}
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return prefilterPart{matches: prefilterInfo(re.Sub[0]).tree()}
		}
		return prefilterPart{}
	case syntax.OpConcat:
		// cur is the run of exact parts being joined; need has what the
		// parts before it require. One inexact part makes the whole inexact.
		var need *litTree
		cur, exact := exactPart(""), true
		for _, sub := range re.Sub {
			p := prefilterInfo(sub)
			if p.exact && len(cur.strs)*len(p.strs) <= maxExact {
				var cross []string
				for _, a := range cur.strs {
					for _, b := range p.strs {
						cross = append(cross, a+b)
					}
				}
				cur.strs = cross
				continue
			}
			exact = false
			need = andTrees(need, cur.tree())
			if p.exact {
				cur = p
			} else {
				need = andTrees(need, p.matches)
				cur = exactPart("")
			}
		}
		if exact {
			return cur
		}
		return prefilterPart{matches: andTrees(need, cur.tree())}
	case syntax.OpAlternate:
		parts := make([]prefilterPart, len(re.Sub))
		allExact, n := true, 0
		for i, sub := range re.Sub {
			parts[i] = prefilterInfo(sub)
			allExact = allExact && parts[i].exact
			n += len(parts[i].strs)
		}
		if allExact && n <= maxExact {
			var strs []string
			for _, p := range parts {
				strs = append(strs, p.strs...)
			}
			return exactPart(strs...)
		}
		or := &litTree{}
		for _, p := range parts {
			t := p.tree()
			if t == nil {
				return prefilterPart{} // this branch can match without any literal
			}
			or.subs = append(or.subs, t)
		}
		return prefilterPart{matches: or}
	default:
		return prefilterPart{}
	}
}

// holds reports whether the literals present (a bit per atom number) are
// what t requires.
func (t *litTree) holds(present []uint64) bool {
	return t.satisfied(func(leaf *litTree) bool { return present[leaf.atom/64]&(1<<(leaf.atom%64)) != 0 })
}

// in reports whether text may hold a match: it contains what t requires.
func (t *litTree) in(text []byte) bool {
	return t.satisfied(func(leaf *litTree) bool { return bytes.Contains(text, leaf.lit) })
}

// satisfied evaluates t with has telling whether a literal is there.
func (t *litTree) satisfied(has func(leaf *litTree) bool) bool {
	switch {
	case t == nil:
		return true
	case t.lit != nil:
		return has(t)
	case t.and:
		for _, s := range t.subs {
			if !s.satisfied(has) {
				return false
			}
		}
		return true
	default:
		for _, s := range t.subs {
			if s.satisfied(has) {
				return true
			}
		}
		return false
	}
}

// String shows the tree, for tests: "a", and(x y), or(x y).
func (t *litTree) String() string {
	switch {
	case t == nil:
		return "*"
	case t.lit != nil:
		return strconv.Quote(string(t.lit))
	}
	parts := make([]string, len(t.subs))
	for i, s := range t.subs {
		parts[i] = s.String()
	}
	op := "or"
	if t.and {
		op = "and"
	}
	return op + "(" + strings.Join(parts, " ") + ")"
}

// requiredLiterals returns a set of strings at least one of which every
// match of re contains, or nil when it finds none. Of several candidate
// sets it keeps the one whose shortest member is longest.
func requiredLiterals(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			// The text is lower-cased: a case-folded literal is found in lower case.
			return []string{strings.ToLower(string(re.Rune))}
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return requiredLiterals(re.Sub[0])
	case syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
		return nil
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			l := requiredLiterals(sub)
			if l == nil {
				return nil // this branch can match without any literal
			}
			all = append(all, l...)
		}
		return all
	case syntax.OpConcat:
		var best []string
		var run []rune // adjacent literals join into a longer one
		consider := func(l []string) {
			if l != nil && (best == nil || minLen(l) > minLen(best)) {
				best = l
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral && sub.Flags&syntax.FoldCase == 0 {
				run = append(run, sub.Rune...)
				continue
			}
			if len(run) > 0 {
				consider([]string{string(run)})
				run = nil
			}
			consider(requiredLiterals(sub))
		}
		if len(run) > 0 {
			consider([]string{string(run)})
		}
		return best
	default:
		return nil
	}
}

func minLen(lits []string) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l) < n {
			n = len(l)
		}
	}
	return n
}

// literalIndex finds, in one pass over the text, where the literals of
// every regex rule occur: a 64 Kbit set of the literals' first four bytes
// (three for three-byte literals) lets most positions go by with one load
// and one bit test, and only the rest are compared with the literals. One
// pass for all regex rules costs about as much as one bytes.Index.
type literalIndex struct {
	set4, set3 []uint64
	by4, by3   map[uint32][]litRef
	atoms      map[string]int32 // the literals of prefilter trees, numbered
	all        []litRef         // every literal filed
}

// litRef is a literal to find: a trigger of a rule (rule >= 0), or an atom
// of the prefilter trees (atom >= 0), whose presence anywhere in the text
// is all that is recorded.
type litRef struct {
	rule, atom int32
	lit        []byte
}

func newLiteralIndex() *literalIndex {
	return &literalIndex{set4: make([]uint64, 1024), set3: make([]uint64, 1024),
		by4: map[uint32][]litRef{}, by3: map[uint32][]litRef{}, atoms: map[string]int32{}}
}

func litKey4(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func litKey3(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }
func litBit(k uint32) uint32  { return (k * 0x9E3779B1) >> 16 }

// add files a trigger literal of rule.
func (li *literalIndex) add(rule int32, lit []byte) { li.file(litRef{rule: rule, atom: -1, lit: lit}) }

// addTree numbers the literals of a prefilter tree and files the new ones.
func (li *literalIndex) addTree(t *litTree) {
	if t == nil {
		return
	}
	for _, s := range t.subs {
		li.addTree(s)
	}
	if t.lit == nil {
		return
	}
	id, ok := li.atoms[string(t.lit)]
	if !ok {
		id = int32(len(li.atoms))
		li.atoms[string(t.lit)] = id
		li.file(litRef{rule: -1, atom: id, lit: t.lit})
	}
	t.atom = id
}

func (li *literalIndex) file(ref litRef) {
	same := func(r litRef) bool { return r.rule == ref.rule && r.atom == ref.atom && bytes.Equal(r.lit, ref.lit) }
	if slices.ContainsFunc(li.all, same) {
		return
	}
	li.all = append(li.all, ref)
	if len(ref.lit) >= 4 {
		k := litKey4(ref.lit)
		li.by4[k] = append(li.by4[k], ref)
		setBit(li.set4, litBit(k))
		return
	}
	k := litKey3(ref.lit)
	li.by3[k] = append(li.by3[k], ref)
	setBit(li.set3, litBit(k))
}

// fewLiterals is how many literals are looked for one by one (bytes.Index
// runs many bytes at a time) rather than in one pass over every byte.
const fewLiterals = 8

// occurrences calls found for every occurrence of every literal in norm.
func (li *literalIndex) occurrences(norm []byte, found func(ref litRef, i, j int)) {
	if len(li.all) <= fewLiterals {
		li.searchEach(norm, found)
	} else {
		li.scan(norm, found)
	}
}

// searchEach finds the literals one after the other.
func (li *literalIndex) searchEach(norm []byte, found func(ref litRef, i, j int)) {
	for _, r := range li.all {
		for i := 0; ; {
			k := bytes.Index(norm[i:], r.lit)
			if k < 0 {
				break
			}
			found(r, i+k, i+k+len(r.lit))
			i += k + 1
		}
	}
}

// scan finds all the literals in one pass over the bytes of norm.
func (li *literalIndex) scan(norm []byte, found func(ref litRef, i, j int)) {
	check := func(refs []litRef, i int) {
		for _, r := range refs {
			if bytes.HasPrefix(norm[i:], r.lit) {
				found(r, i, i+len(r.lit))
			}
		}
	}
	n := len(norm)
	for i := 0; i+3 <= n; i++ {
		if norm[i]&0xC0 == 0x80 {
			continue // literals start on a character
		}
		if i+4 <= n {
			if k := litKey4(norm[i:]); hasBit(li.set4, litBit(k)) {
				check(li.by4[k], i)
			}
		}
		if len(li.by3) > 0 {
			if k := litKey3(norm[i:]); hasBit(li.set3, litBit(k)) {
				check(li.by3[k], i)
			}
		}
	}
}

// regexHits appends the hits of every regex rule, snapped to whole words.
// One pass over the text finds the rules' trigger literals and which
// literals of their prefilter trees occur at all; a rule whose tree the
// text does not satisfy is passed over, and the others' expressions run
// only on the sentences around their triggers that satisfy it.
func (m *Matcher) regexHits(s *scratch) {
	norm, toks := s.text.Norm, s.toks
	if s.spans == nil {
		s.spans = map[int32][][2]int{}
	}
	for k := range s.spans {
		s.spans[k] = s.spans[k][:0]
	}
	words := (len(m.literals.atoms) + 63) / 64
	s.present = slices.Grow(s.present[:0], words)[:words]
	clear(s.present)
	m.literals.occurrences(norm, func(ref litRef, i, j int) {
		if ref.atom >= 0 {
			s.present[ref.atom/64] |= 1 << (ref.atom % 64)
			return
		}
		s.spans[ref.rule] = append(s.spans[ref.rule], sentenceBytes(norm, i, j))
	})
	for _, ri := range m.regexes {
		sp := s.spans[ri]
		rr := m.rules[ri].re
		if len(sp) == 0 || !rr.needs.holds(s.present) {
			continue
		}
		slices.SortFunc(sp, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
		merged := sp[:1]
		for _, x := range sp[1:] {
			if last := &merged[len(merged)-1]; x[0] <= last[1] {
				last[1] = max(last[1], x[1])
			} else {
				merged = append(merged, x)
			}
		}
		for _, r := range merged {
			if !rr.needs.in(norm[r[0]:r[1]]) {
				continue
			}
			for _, loc := range rr.re.FindAllIndex(norm[r[0]:r[1]], -1) {
				a, b := r[0]+loc[0], r[0]+loc[1]
				t0, _ := slices.BinarySearchFunc(toks, int32(a), func(t token, off int32) int { return cmp.Compare(t.end, off+1) })
				t1, _ := slices.BinarySearchFunc(toks, int32(b), func(t token, off int32) int { return cmp.Compare(t.start, off) })
				if t0 >= t1 {
					continue // the match covers no word
				}
				s.hits = append(s.hits, hit{rule: ri, t0: int32(t0), t1: int32(t1), n0: toks[t0].start, n1: toks[t1-1].end})
			}
		}
	}
}

// sentenceBytes returns the byte range of the sentence of norm around
// [i, j): from after the last . ! ? ; before it to the next one after it,
// at most maxSentenceSpan bytes each way (on character boundaries).
func sentenceBytes(norm []byte, i, j int) [2]int {
	lo := max(0, i-maxSentenceSpan)
	for lo > 0 && !utf8.RuneStart(norm[lo]) {
		lo++
	}
	if k := bytes.LastIndexAny(norm[lo:i], ".!?;"); k >= 0 {
		lo += k + 1
	}
	hi := min(len(norm), j+maxSentenceSpan)
	for hi < len(norm) && !utf8.RuneStart(norm[hi]) {
		hi--
	}
	if k := bytes.IndexAny(norm[j:hi], ".!?;"); k >= 0 {
		hi = j + k
	}
	return [2]int{lo, hi}
}
