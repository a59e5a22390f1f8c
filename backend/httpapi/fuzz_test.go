package httpapi

import (
	"encoding/json"
	"testing"
	"unicode/utf16"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// FuzzAnnotateHTTP: no request body produces a 500 or a malformed answer.
// Every answer is JSON; a 200 carries annotations whose UTF-16 slice of
// the submitted text equals quote.exact; any other status is a 4xx error
// in the API's shape.
func FuzzAnnotateHTTP(f *testing.F) {
	for _, s := range []string{
		`{"text":"The Ukraine crisis."}`, `{"text":"кризис на Украине","lang":"ru"}`, `{"text":""}`,
		`{"text":"x","text":"y"}`, `{"text":"\ud83d\ude42 Ukraine crisis"}`, `{"text":"\ud800"}`, `[]`, `{`, `null`,
		`{"text":"a","url":"https://x.y/"}`, `{"text":"Ukraine\u00adcrisis"}`,
	} {
		f.Add([]byte(s))
	}
	limits := DefaultLimits
	limits.RatePerSecond = 0
	var h = newFuzzServer(f, limits)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := do(h, "POST", "/v1/annotate", "application/json", string(body))
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("status %d with a body that is not JSON: %q", rec.Code, rec.Body)
		}
		if rec.Code != 200 {
			if rec.Code < 400 || rec.Code >= 500 {
				t.Fatalf("status %d for body %q", rec.Code, body)
			}
			var e errorBody
			if json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("error not in the API's shape: %s", rec.Body)
			}
			return
		}
		var req struct{ Text string }
		var res contextlens.Result
		json.Unmarshal(body, &req)
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatal(err)
		}
		units := utf16.Encode([]rune(req.Text))
		for _, a := range res.Annotations {
			if a.Position.Start < 0 || a.Position.End > len(units) || a.Position.Start >= a.Position.End {
				t.Fatalf("position %+v outside the text", a.Position)
			}
			if got := string(utf16.Decode(units[a.Position.Start:a.Position.End])); got != a.Quote.Exact {
				t.Fatalf("slice %q != exact %q", got, a.Quote.Exact)
			}
		}
	})
}
