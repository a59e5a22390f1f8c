package normalize

import (
	"encoding/json"
	"os"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// vector is one entry of rules/testdata/normalize.json, which the browser
// extension runs too. Offsets are UTF-16 code units (JavaScript string
// indices); see rules/testdata/README.md.
type vector struct {
	Name  string `json:"name"`
	Input string `json:"input"`
	Norm  string `json:"norm"`
	Spans []struct {
		Norm [2]int `json:"norm"`
		Orig [2]int `json:"orig"`
	} `json:"spans"`
	Note string `json:"note"`
}

func TestVectors(t *testing.T) {
	data, err := os.ReadFile("../../rules/testdata/normalize.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []vector
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) == 0 {
		t.Fatal("no vectors")
	}
	var x Text
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			x.Normalize(v.Input)
			if got := string(x.Norm); got != v.Norm {
				t.Fatalf("Normalize(%q) = %q, want %q", v.Input, got, v.Norm)
			}
			checkInvariants(t, v.Input, &x)
			for _, sp := range v.Spans {
				i, j := byteIndex(v.Norm, sp.Norm[0]), byteIndex(v.Norm, sp.Norm[1])
				start, end := x.OrigSpan(i, j)
				got := [2]int{utf16Index(v.Input, start), utf16Index(v.Input, end)}
				if got != sp.Orig {
					t.Errorf("span norm %v (%q): orig = %v (%q), want %v", sp.Norm,
						v.Norm[i:j], got, v.Input[start:end], sp.Orig)
				}
			}
		})
	}
}

// byteIndex converts a UTF-16 index into s to a byte index.
func byteIndex(s string, u16 int) int {
	n := 0
	for i, r := range s {
		if n >= u16 {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(s)
}

// utf16Index converts a byte index into s (on a rune boundary) to a UTF-16
// index.
func utf16Index(s string, b int) int {
	n := 0
	for len(s) > 0 && b > 0 {
		r, size := utf8.DecodeRuneInString(s)
		n += utf16.RuneLen(r)
		s, b = s[size:], b-size
	}
	return n
}
