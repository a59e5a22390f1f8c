package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
)

// annotateRequest is the body of POST /v1/annotate.
type annotateRequest struct {
	Text *string `json:"text"`
	Lang string  `json:"lang"`
	// URL is context only: it is never stored or logged (readers' privacy).
	URL string `json:"url"`
}

const maxURLLen = 2048

func (s *Server) handleAnnotate(c echo.Context) error {
	var req annotateRequest
	if err := decodeJSON(c, s.limits.MaxBody, &req); err != nil {
		return err
	}
	if err := s.checkAnnotate(req); err != nil {
		return err
	}
	m := s.engine.Current()
	if m == nil {
		return newError(http.StatusServiceUnavailable, "unavailable", "rules are not loaded yet")
	}
	ctx := c.Request().Context()
	key := resultKey(m.Version(), req.Lang, *req.Text)
	if s.cache != nil {
		if b, ok := s.cache.GetResult(ctx, key); ok {
			if hit, ok := decodeCached(b); ok {
				s.countHits(ctx, hit.Live, hit.Shadow)
				return c.JSONBlob(http.StatusOK, hit.Result)
			}
		}
	}
	res, shadow := m.Annotate(*req.Text, match.Options{Lang: req.Lang})
	b, err := encodeResult(res)
	if err != nil {
		return err
	}
	entry := cachedResult{Result: b, Live: ruleIDs(res.Annotations), Shadow: ruleIDs(shadow)}
	s.countHits(ctx, entry.Live, entry.Shadow)
	if s.cache != nil {
		if cb, err := entry.encode(); err == nil {
			s.cache.SetResult(ctx, key, cb, s.limits.CacheTTL)
		}
	}
	return c.JSONBlob(http.StatusOK, b)
}

// resultHead is a Result without its cards, for encodeResult.
type resultHead struct {
	Ruleset     string                   `json:"ruleset"`
	Lang        string                   `json:"lang"`
	Annotations []contextlens.Annotation `json:"annotations"`
}

// encodeResult encodes res as the JSON of a Result. The annotations go
// through go-json-experiment (about twice as fast as encoding/json, the
// same JSON); the cards, encoded once per rule when the rules compiled,
// are appended as they are: given to the encoder, they were parsed and
// checked again, most of the cost of a card-heavy response.
func encodeResult(res contextlens.Result) ([]byte, error) {
	cards, err := res.Cards.MarshalJSON()
	if err != nil {
		return nil, err
	}
	head, err := jsonv2.Marshal(resultHead{Ruleset: res.Ruleset, Lang: res.Lang, Annotations: res.Annotations})
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(head)+len(`,"cards":`)+len(cards))
	out = append(out, head[:len(head)-1]...) // without its closing brace
	out = append(out, `,"cards":`...)
	out = append(out, cards...)
	return append(out, '}'), nil
}

// cachedResult is what the result cache holds: the response, and which
// rules hit (shadow hits are not in the response but are still counted).
type cachedResult struct {
	Result json.RawMessage `json:"-"`
	Live   []string        `json:"live,omitempty"`
	Shadow []string        `json:"shadow,omitempty"`
}

// cacheFormat starts every cached entry: the format, then a line of JSON
// with the rule ids, then the response exactly as sent. A hit is served
// without parsing the response (JSON encoding escapes every newline inside
// strings, so the first two newlines are the separators).
const cacheFormat = "cl2\n" // cl2: cards once per response (issue 6)

func (e cachedResult) encode() ([]byte, error) {
	meta, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(cacheFormat)+len(meta)+1+len(e.Result))
	out = append(out, cacheFormat...)
	out = append(out, meta...)
	out = append(out, '\n')
	return append(out, e.Result...), nil
}

// decodeCached reads an entry; anything else (an older format, a damaged
// value) is a miss.
func decodeCached(b []byte) (cachedResult, bool) {
	var e cachedResult
	rest, ok := bytes.CutPrefix(b, []byte(cacheFormat))
	if !ok {
		return e, false
	}
	meta, result, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok || len(result) == 0 || result[0] != '{' || result[len(result)-1] != '}' || json.Unmarshal(meta, &e) != nil {
		return e, false
	}
	e.Result = result
	return e, true
}

func ruleIDs(anns []contextlens.Annotation) []string {
	var ids []string
	for _, a := range anns {
		ids = append(ids, a.Rule)
	}
	return ids
}

// countHits adds to the per-rule counters editors see in rule stats.
func (s *Server) countHits(ctx context.Context, live, shadow []string) {
	if s.hits == nil {
		return
	}
	for _, id := range live {
		s.hits.IncrHits(ctx, id, false, 1)
	}
	for _, id := range shadow {
		s.hits.IncrHits(ctx, id, true, 1)
	}
}

func (s *Server) checkAnnotate(req annotateRequest) error {
	invalid := func(msg string) error { return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, msg) }
	switch {
	case req.Text == nil:
		return invalid("text is required")
	case strings.TrimSpace(*req.Text) == "":
		return invalid("text is empty")
	case utf8.RuneCountInString(*req.Text) > s.limits.MaxTextRunes:
		return invalid(fmt.Sprintf("text is longer than %d characters", s.limits.MaxTextRunes))
	case req.Lang != "" && req.Lang != "en" && req.Lang != "ru" && req.Lang != "uk":
		return invalid("lang must be en, ru or uk (or absent to detect it)")
	}
	if req.URL != "" {
		u, err := url.Parse(req.URL)
		if len(req.URL) > maxURLLen || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid("url must be an absolute http(s) URL of at most 2048 bytes")
		}
	}
	return nil
}

// resultKey identifies a result: the rule-set version makes a publish
// invalidate every cached result at once; the text is hashed, never stored
// in the key.
func resultKey(version, lang, text string) string {
	h := sha256.New()
	h.Write([]byte(lang))
	h.Write([]byte{0})
	h.Write([]byte(text))
	return version + ":" + hex.EncodeToString(h.Sum(nil)) // the cache files it under "result:"
}
