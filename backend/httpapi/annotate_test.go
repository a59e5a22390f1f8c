package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
)

func testRule() contextlens.Rule {
	return contextlens.Rule{
		ID: "crisis", Narrative: "war-as-crisis", Title: "War called a crisis", Summary: "s", Explanation: "e",
		Category: "euphemism", Severity: contextlens.SeverityCaution, Status: contextlens.StatusLive,
		Languages: []string{"en"}, Match: contextlens.Match{Phrases: []string{"ukraine crisis", "кризис* на украин*"}},
		Sources: []contextlens.Source{{Title: "x", URL: "https://example.org/", Publisher: "x"}},
	}
}

func newTestServer(t *testing.T, cache ResultCache, limits Limits) http.Handler {
	t.Helper()
	return newFuzzServer(t, limits, cache)
}

func newFuzzServer(t testing.TB, limits Limits, cache ...ResultCache) http.Handler {
	var c ResultCache
	if len(cache) > 0 {
		c = cache[0]
	}
	m, err := match.Compile([]contextlens.Rule{testRule()}, match.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(Deps{Engine: match.NewEngine(m), Limits: limits, Cache: c})
}

func do(h http.Handler, method, path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAnnotateOK(t *testing.T) {
	h := newTestServer(t, nil, DefaultLimits)
	rec := do(h, "POST", "/v1/annotate", "application/json; charset=utf-8",
		`{"text":"🙂 The Ukraine crisis, said X.","url":"https://news.example/a"}`)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var res contextlens.Result
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Lang != "en" || res.Ruleset == "" || len(res.Annotations) != 1 {
		t.Fatalf("unexpected result %+v", res)
	}
	a := res.Annotations[0]
	if a.Quote.Exact != "Ukraine crisis" || a.Position != (contextlens.Position{Start: 7, End: 21}) || a.Attribution != "reported" {
		t.Errorf("annotation %+v", a)
	}
	if a.Rule != "crisis" {
		t.Errorf("rule %q", a.Rule)
	}
	card, ok := res.Cards["crisis"]
	if !ok || card.Title != "War called a crisis" || len(card.Sources) != 1 || len(res.Cards) != 1 {
		t.Errorf("cards %+v", res.Cards)
	}
	// The card is sent once, in cards, not inside the annotation.
	var raw struct {
		Annotations []map[string]json.RawMessage `json:"annotations"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"title", "summary", "explanation", "sources"} {
		if _, ok := raw.Annotations[0][field]; ok {
			t.Errorf("annotation carries the card's %s: %s", field, rec.Body)
		}
	}
}

// A rule that hits many times has one card in the response.
func TestAnnotateCardsOncePerRule(t *testing.T) {
	h := newTestServer(t, nil, DefaultLimits)
	text := strings.Repeat("The Ukraine crisis goes on. ", 20)
	body, _ := json.Marshal(map[string]string{"text": text, "lang": "en"})
	rec := do(h, "POST", "/v1/annotate", "application/json", string(body))
	if rec.Code != 200 {
		t.Fatalf("status %d body %s", rec.Code, rec.Body)
	}
	var res contextlens.Result
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Annotations) != 20 || len(res.Cards) != 1 {
		t.Fatalf("%d annotations, %d cards", len(res.Annotations), len(res.Cards))
	}
	for _, a := range res.Annotations {
		if _, ok := res.Cards[a.Rule]; !ok {
			t.Errorf("annotation %s has no card", a.ID)
		}
	}
	if n := strings.Count(rec.Body.String(), `"summary"`); n != 1 {
		t.Errorf("%d summaries in the response, want 1", n)
	}
}

func TestAnnotateNoHitsIsEmptyArray(t *testing.T) {
	h := newTestServer(t, nil, DefaultLimits)
	rec := do(h, "POST", "/v1/annotate", "application/json", `{"text":"Nothing here.","lang":"en"}`)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"annotations":[]`) || !strings.Contains(rec.Body.String(), `"cards":{}`) {
		t.Fatalf("status %d body %s", rec.Code, rec.Body)
	}
}

func TestAnnotateErrors(t *testing.T) {
	limits := DefaultLimits
	limits.MaxTextRunes = 100
	h := newTestServer(t, nil, limits)
	big := `{"text":"` + strings.Repeat("a", 70<<10) + `"}`
	tests := []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"wrong content type", "text/plain", `{"text":"x"}`, 415, "unsupported_media_type"},
		{"no content type", "", `{"text":"x"}`, 415, "unsupported_media_type"},
		{"form", "application/x-www-form-urlencoded", `text=x`, 415, "unsupported_media_type"},
		{"too large", "application/json", big, 413, "too_large"},
		{"malformed", "application/json", `{"text":`, 400, "malformed_json"},
		{"not an object", "application/json", `["x"]`, 400, "malformed_json"},
		{"wrong type", "application/json", `{"text":5}`, 400, "malformed_json"},
		{"unknown field", "application/json", `{"text":"x","evil":1}`, 400, "malformed_json"},
		{"duplicate key", "application/json", `{"text":"x","text":"y"}`, 400, "malformed_json"},
		{"nested duplicate", "application/json", `{"text":"x","url":"https://a.b/","lang":"en","x":{"a":1,"a":2}}`, 400, "malformed_json"},
		{"trailing data", "application/json", `{"text":"x"} {}`, 400, "malformed_json"},
		{"invalid utf8", "application/json", "{\"text\":\"\xff\xfe\"}", 400, "invalid_utf8"},
		{"empty body", "application/json", ``, 400, "malformed_json"},
		{"missing text", "application/json", `{"lang":"en"}`, 422, "invalid"},
		{"null text", "application/json", `{"text":null}`, 422, "invalid"},
		{"empty text", "application/json", `{"text":"   "}`, 422, "invalid"},
		{"over-long text", "application/json", `{"text":"` + strings.Repeat("я", 101) + `"}`, 422, "invalid"},
		{"bad lang", "application/json", `{"text":"x","lang":"de"}`, 422, "invalid"},
		{"bad url", "application/json", `{"text":"x","url":"javascript:alert(1)"}`, 422, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(h, "POST", "/v1/annotate", tt.ctype, tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Fatalf("body %s, want error code %q", rec.Body, tt.code)
			}
			for _, echoed := range []string{"evil", "javascript", "\xff", "yyy", "de\""} {
				if strings.Contains(body.Error.Message, echoed) {
					t.Errorf("error message echoes the input: %q", body.Error.Message)
				}
			}
		})
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	h := newTestServer(t, nil, DefaultLimits)
	if rec := do(h, "GET", "/nope", "", ""); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"code":"not_found"`) {
		t.Errorf("unknown route: %d %s", rec.Code, rec.Body)
	}
	if rec := do(h, "GET", "/v1/annotate", "", ""); rec.Code != 405 || !strings.Contains(rec.Body.String(), `"code":"method_not_allowed"`) {
		t.Errorf("wrong method: %d %s", rec.Code, rec.Body)
	}
}

func TestHealthAndReady(t *testing.T) {
	h := newTestServer(t, nil, DefaultLimits)
	if rec := do(h, "GET", "/healthz", "", ""); rec.Code != 200 {
		t.Errorf("healthz %d", rec.Code)
	}
	if rec := do(h, "GET", "/readyz", "", ""); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ruleset"`) {
		t.Errorf("readyz %d %s", rec.Code, rec.Body)
	}
	notReady := NewServer(Deps{Engine: match.NewEngine(nil)})
	if rec := do(notReady, "GET", "/readyz", "", ""); rec.Code != 503 {
		t.Errorf("readyz without rules: %d", rec.Code)
	}
	if rec := do(notReady, "POST", "/v1/annotate", "application/json", `{"text":"x"}`); rec.Code != 503 {
		t.Errorf("annotate without rules: %d", rec.Code)
	}
}

func TestRateLimit(t *testing.T) {
	limits := DefaultLimits
	limits.RatePerSecond, limits.Burst = 1, 3
	h := newTestServer(t, nil, limits)
	codes := map[int]int{}
	for range 6 {
		codes[do(h, "POST", "/v1/annotate", "application/json", `{"text":"x"}`).Code]++
	}
	if codes[200] != 3 || codes[429] != 3 {
		t.Errorf("status counts %v, want 3 OK then 3 rate-limited", codes)
	}
}

// memCache is an in-memory ResultCache that records its calls.
type memCache struct {
	mu   sync.Mutex
	m    map[string][]byte
	gets int
}

func (c *memCache) GetResult(_ context.Context, k string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	b, ok := c.m[k]
	return b, ok
}

func (c *memCache) SetResult(_ context.Context, k string, v []byte, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
}

func TestResultCache(t *testing.T) {
	c := &memCache{m: map[string][]byte{}}
	h := newTestServer(t, c, DefaultLimits)
	body := `{"text":"The Ukraine crisis."}`
	first := do(h, "POST", "/v1/annotate", "application/json", body)
	if len(c.m) != 1 {
		t.Fatalf("result not cached: %d entries", len(c.m))
	}
	for k := range c.m {
		if strings.Contains(k, "Ukraine") {
			t.Errorf("cache key contains the text: %q", k)
		}
		// A planted value proves the second answer comes from the cache.
		c.m[k] = []byte("cl2\n{}\n" + `{"ruleset":"cached","lang":"en","annotations":[],"cards":{}}`)
	}
	second := do(h, "POST", "/v1/annotate", "application/json", body)
	if !bytes.Contains(second.Body.Bytes(), []byte(`"cached"`)) || bytes.Equal(first.Body.Bytes(), second.Body.Bytes()) {
		t.Errorf("second answer not served from the cache: %s", second.Body)
	}
	// A damaged or foreign entry, or one of the previous response shape
	// (cards inside each annotation), is a miss, never a broken answer.
	for _, old := range []string{`{"result":{"ruleset":"old format"}}`, "cl1\n{}\n" + `{"ruleset":"cached","lang":"en","annotations":[]}`} {
		for k := range c.m {
			c.m[k] = []byte(old)
		}
		third := do(h, "POST", "/v1/annotate", "application/json", body)
		if third.Code != 200 || !bytes.Equal(first.Body.Bytes(), third.Body.Bytes()) {
			t.Errorf("a damaged or old entry was served: %s", third.Body)
		}
	}
}

// encodeResult writes exactly the Result: what a client decodes equals
// what encoding the Result as a whole gives, cards and no cards alike.
func TestEncodeResultIsTheResult(t *testing.T) {
	r := contextlens.Rule{ID: "r-1", Title: "A <b>title</b> & “quotes”", Summary: "Кризис \u2028", Explanation: "e\n\"x\"",
		Sources: []contextlens.Source{{Title: "t", URL: "https://example.org/?a=1&b=2", Publisher: "p"}}}
	full := contextlens.Result{Ruleset: "v1", Lang: "ru",
		Annotations: []contextlens.Annotation{{ID: "a1", Rule: "r-1", Narrative: "n", Category: "euphemism",
			Severity: "caution", Attribution: "direct", Quote: contextlens.Quote{Exact: "x<", Prefix: "\"", Suffix: "\\"},
			Position: contextlens.Position{Start: 1, End: 3}}},
		Cards: contextlens.Cards{"r-1": contextlens.CardOf(&r)}}
	for _, res := range []contextlens.Result{full, {Ruleset: "v1", Lang: "en", Annotations: []contextlens.Annotation{}}} {
		got, err := encodeResult(res)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(res)
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("encodeResult gave invalid JSON %s: %v", got, err)
		}
		_ = json.Unmarshal(want, &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("encodeResult\n got %s\nwant %s", got, want)
		}
	}
}
