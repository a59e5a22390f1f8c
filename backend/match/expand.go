package match

import (
	"fmt"
	"strconv"
	"strings"
)

// Phrase alternatives (issue 6): a rule phrase may say in one line what
// would otherwise take many phrases or a regular expression, and it still
// compiles into the word index:
//
//	(a|b c|d*)    one of the alternatives, each a word sequence
//	(a|b)?        the same, or nothing
//	*{m,n}        from m to n words of any kind (0 <= m <= n <= 4); *{n} is exactly n
//
// expandPhrase spells a phrase out as the plain phrases it stands for.
// Groups do not nest.

// maxExpansions bounds the plain phrases one phrase may stand for.
const maxExpansions = 512

// maxGap bounds *{m,n}.
const maxGap = 4

// expandPhrase returns the plain phrases src stands for (src itself when
// it has no group or gap).
func expandPhrase(src string) ([]string, error) {
	if !strings.ContainsAny(src, "(|)?{}") {
		return []string{src}, nil
	}
	out := []string{""}
	cross := func(alts []string) error {
		if len(out)*len(alts) > maxExpansions {
			return fmt.Errorf("%q stands for more than %d phrases", src, maxExpansions)
		}
		next := make([]string, 0, len(out)*len(alts))
		for _, o := range out {
			for _, a := range alts {
				next = append(next, strings.TrimSpace(o+" "+a))
			}
		}
		out = next
		return nil
	}
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '(':
			end := strings.IndexByte(src[i:], ')')
			if end < 0 {
				return nil, fmt.Errorf("%q: '(' without ')'", src)
			}
			body := src[i+1 : i+end]
			if strings.ContainsAny(body, "(?{}") {
				return nil, fmt.Errorf("%q: groups do not nest, and hold only words, stems and *", src)
			}
			alts := strings.Split(body, "|")
			for k, a := range alts {
				alts[k] = strings.Join(strings.Fields(a), " ")
				if alts[k] == "" {
					return nil, fmt.Errorf("%q: an empty alternative (write (a|b)? for an optional group)", src)
				}
			}
			i += end + 1
			if i < len(src) && src[i] == '?' {
				alts = append(alts, "")
				i++
			}
			if err := cross(alts); err != nil {
				return nil, err
			}
		case c == '*' && i+1 < len(src) && src[i+1] == '{':
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("%q: '*{' without '}'", src)
			}
			lo, hi, err := gapBounds(src[i+2 : i+end])
			if err != nil {
				return nil, fmt.Errorf("%q: %v", src, err)
			}
			var alts []string
			for n := lo; n <= hi; n++ {
				alts = append(alts, strings.TrimSpace(strings.Repeat("* ", n)))
			}
			if err := cross(alts); err != nil {
				return nil, err
			}
			i += end + 1
		case c == ')' || c == '|' || c == '?' || c == '{' || c == '}':
			return nil, fmt.Errorf("%q: %q outside a group", src, c)
		default:
			end := strings.IndexAny(src[i:], "(|)?{}")
			if end < 0 {
				end = len(src) - i
			}
			word := src[i : i+end]
			if strings.HasSuffix(word, "*") && i+end < len(src) && src[i+end] == '{' {
				if len(word) > 1 && word[len(word)-2] != ' ' {
					return nil, fmt.Errorf("%q: a gap *{m,n} stands apart from the words around it", src)
				}
				word = word[:len(word)-1] // the '*' of the gap that follows
				end--
			}
			if err := cross([]string{strings.Join(strings.Fields(word), " ")}); err != nil {
				return nil, err
			}
			i += end
		}
	}
	for k, p := range out {
		out[k] = strings.Join(strings.Fields(p), " ")
	}
	return out, nil
}

// gapBounds reads the "m,n" or "n" of *{m,n}.
func gapBounds(s string) (lo, hi int, err error) {
	a, b, two := strings.Cut(s, ",")
	if lo, err = strconv.Atoi(strings.TrimSpace(a)); err != nil {
		return 0, 0, fmt.Errorf("*{%s}: want *{m,n} or *{n}", s)
	}
	hi = lo
	if two {
		if hi, err = strconv.Atoi(strings.TrimSpace(b)); err != nil {
			return 0, 0, fmt.Errorf("*{%s}: want *{m,n} or *{n}", s)
		}
	}
	if lo < 0 || hi < lo || hi > maxGap {
		return 0, 0, fmt.Errorf("*{%s}: want 0 <= m <= n <= %d", s, maxGap)
	}
	return lo, hi, nil
}
