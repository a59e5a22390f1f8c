package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/contextlens/contextlens/backend/httpapi"
	"github.com/contextlens/contextlens/backend/match"
)

// benchArticle is about 20 KB of prose in en, ru and uk built from the
// rules' own example sentences (so it has real hits) and filler.
func benchArticle(b *testing.B) string {
	rules, err := loadRuleFiles("../../../rules")
	if err != nil {
		b.Fatal(err)
	}
	var sentences []string
	for _, r := range rules {
		for _, ex := range r.Examples {
			sentences = append(sentences, ex.Match...)
			sentences = append(sentences, ex.NoMatch...)
		}
	}
	rnd := rand.New(rand.NewPCG(1, 1))
	var sb strings.Builder
	for sb.Len() < 20<<10 {
		sb.WriteString(sentences[rnd.IntN(len(sentences))])
		sb.WriteString(" ")
	}
	return sb.String()
}

// BenchmarkAnnotateHTTP measures POST /v1/annotate end to end in-process
// (decoding, matching, encoding) on the real rules and a 20 KB article,
// beside the engine alone on the same text, so the HTTP cost is visible.
func BenchmarkAnnotateHTTP(b *testing.B) {
	m, err := loadMatcher("../../../rules")
	if err != nil {
		b.Fatal(err)
	}
	text := benchArticle(b)
	limits := httpapi.DefaultLimits
	limits.RatePerSecond = 0
	h := httpapi.NewServer(httpapi.Deps{Engine: match.NewEngine(m), Limits: limits})
	body, _ := json.Marshal(map[string]string{"text": text})
	b.Run("engine", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			m.Annotate(text, match.Options{})
		}
	})
	post := func(b *testing.B, body []byte, n int) {
		b.SetBytes(int64(n))
		b.ReportAllocs()
		size := 0
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/annotate", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatal(rec.Code)
			}
			size = rec.Body.Len()
		}
		b.ReportMetric(float64(size), "response-bytes")
	}
	b.Run("http", func(b *testing.B) { post(b, body, len(text)) })
	// The same size of ordinary prose with one framing in it: what most
	// articles look like.
	plain := strings.Repeat("Officials met on Tuesday to discuss grain exports, rail freight and the winter budget. ", 240) +
		"Moscow again spoke of the Ukraine crisis."
	plainBody, _ := json.Marshal(map[string]string{"text": plain})
	b.Run("engine-sparse", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			m.Annotate(plain, match.Options{})
		}
	})
	b.Run("http-sparse", func(b *testing.B) { post(b, plainBody, len(plain)) })
	// The fixture articles (about 5 KB of news each, a few framings).
	for _, name := range []string{"en-wire", "ru-state", "uk-news"} {
		article, err := os.ReadFile("../../../rules/testdata/articles/" + name + ".txt")
		if err != nil {
			b.Fatal(err)
		}
		body, _ := json.Marshal(map[string]string{"text": string(article)})
		b.Run("engine-"+name, func(b *testing.B) {
			b.SetBytes(int64(len(article)))
			for b.Loop() {
				m.Annotate(string(article), match.Options{})
			}
		})
		b.Run("http-"+name, func(b *testing.B) { post(b, body, len(article)) })
	}
}
