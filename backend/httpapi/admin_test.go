package httpapi

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/auth"
	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
	"github.com/contextlens/contextlens/backend/rulefile"
	"github.com/contextlens/contextlens/backend/ruleset"
	"github.com/contextlens/contextlens/backend/sqlstore"
)

// adminEnv is a server with the admin API on a real SQLite store.
type adminEnv struct {
	h      http.Handler
	store  *sqlstore.Store
	issuer *auth.Issuer
	engine *match.Engine
}

func exampleRule(id, status string) contextlens.Rule {
	r := testRule()
	r.ID, r.Status = id, contextlens.Status(status)
	r.Examples = map[string]contextlens.Examples{"en": {
		Match:   []string{"The Ukraine crisis goes on."},
		NoMatch: []string{"The energy crisis goes on."},
	}}
	return r
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return newAdminEnvOn(t, store)
}

// newAdminEnvOn is newAdminEnv on a given (empty) store.
func newAdminEnvOn(t *testing.T, store *sqlstore.Store) *adminEnv {
	t.Helper()
	ctx := context.Background()
	keys, err := auth.NewHMACKeySet(auth.Key{ID: "k1", Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	cfg := auth.Config{Issuer: "test", Audience: "admin"}
	verifier, _ := auth.NewVerifier(keys, cfg)
	issuer, _ := auth.NewIssuer(keys, cfg)
	logger := slog.New(slog.DiscardHandler)
	engine := match.NewEngine(nil)
	pub := ruleset.NewPublisher(engine, store, nil, logger)
	if _, err := store.Seed(ctx, []contextlens.Rule{exampleRule("seed-live", "live")}, contextlens.Change{Author: "system"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Publish(ctx, "system"); err != nil {
		t.Fatal(err)
	}
	h := NewServer(Deps{Engine: engine, Logger: logger, Limits: DefaultLimits,
		Rules: ruleset.NewService(store, pub, nil, logger), Verifier: verifier})
	return &adminEnv{h: h, store: store, issuer: issuer, engine: engine}
}

func (a *adminEnv) token(t *testing.T, sub string, role auth.Role) string {
	tok, err := a.issuer.Mint(sub, role, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// call sends a request as sub with role ("" role: no token), with body
// encoded as JSON (nil: no body).
func (a *adminEnv) call(t *testing.T, role auth.Role, method, path string, body any, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	if body == nil {
		return a.send(t, role, method, path, nil, headers)
	}
	b, _ := json.Marshal(body)
	return a.send(t, role, method, path, bytes.NewReader(b), headers)
}

// send sends a request with role's token; a body is sent as
// application/json. headers are name, value pairs, added in order (a name
// may repeat, as lists of entity tags do).
func (a *adminEnv) send(t *testing.T, role auth.Role, method, path string, body io.Reader, headers []string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+a.token(t, string(role)+"-user", role))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return rec
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
}

func TestAdminAuth(t *testing.T) {
	a := newAdminEnv(t)
	wantStatus(t, a.call(t, "", "GET", "/v1/admin/rules", nil), 401)
	wantStatus(t, a.call(t, "", "GET", "/v1/admin/rules", nil, "Authorization", "Bearer nonsense"), 401)
	wantStatus(t, a.call(t, "", "GET", "/v1/admin/rules", nil, "Authorization", "Basic dXNlcjpwYXNz"), 401)
	// A token in the query string is never read.
	wantStatus(t, a.call(t, "", "GET", "/v1/admin/rules?access_token="+a.token(t, "x", auth.RoleAdmin), nil), 401)
	other, _ := auth.NewHMACKeySet(auth.Key{ID: "k1", Secret: bytes.Repeat([]byte("x"), 32)})
	forged, _ := auth.NewIssuer(other, auth.Config{Issuer: "test", Audience: "admin"})
	tok, _ := forged.Mint("mallory", auth.RoleAdmin, time.Hour)
	wantStatus(t, a.call(t, "", "GET", "/v1/admin/rules", nil, "Authorization", "Bearer "+tok), 401)

	wantStatus(t, a.call(t, auth.RoleViewer, "GET", "/v1/admin/rules", nil), 200)
	wantStatus(t, a.call(t, auth.RoleViewer, "POST", "/v1/admin/rules", exampleRule("x", "draft")), 403)
	wantStatus(t, a.call(t, auth.RolePublisher, "GET", "/v1/admin/audit", nil), 403)
	wantStatus(t, a.call(t, auth.RoleAdmin, "GET", "/v1/admin/audit", nil), 200)
	// An editor cannot make a rule live: that needs a publisher.
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("x", "live")), 403)
}

func TestAdminRuleLifecycle(t *testing.T) {
	a := newAdminEnv(t)
	// Create a draft: 201, ETag "1", not matched.
	rec := a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("new-rule", "draft"))
	wantStatus(t, rec, 201)
	if rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("ETag %q", rec.Header().Get("ETag"))
	}
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("new-rule", "draft")), 409)
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("long-message", "draft"), "X-Change-Message", strings.Repeat("m", 501)), 422)

	// Update needs If-Match: 428 without, 412 stale (nothing changes), 200 fresh.
	changed := exampleRule("new-rule", "draft")
	changed.Title = "Changed title"
	wantStatus(t, a.call(t, auth.RoleEditor, "PUT", "/v1/admin/rules/new-rule", changed), 428)
	wantStatus(t, a.call(t, auth.RoleEditor, "PUT", "/v1/admin/rules/new-rule", changed, "If-Match", `"7"`), 412)
	if got, _ := a.store.GetRule(context.Background(), "new-rule"); got.Revision != 1 || got.Rule.Title == "Changed title" {
		t.Fatalf("a stale write changed the rule: %+v", got)
	}
	rec = a.call(t, auth.RoleEditor, "PUT", "/v1/admin/rules/new-rule", changed, "If-Match", `"1"`, "X-Change-Message", "retitle")
	wantStatus(t, rec, 200)
	if rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("ETag after update %q", rec.Header().Get("ETag"))
	}

	// Shadow: matched and counted, never shown; live (publisher): shown.
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules/new-rule/status", map[string]string{"status": "shadow"}), 200)
	if rules := a.engine.Current().Rules(); len(rules) != 2 {
		t.Fatalf("engine has %d rules after shadowing, want 2", len(rules))
	}
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules/new-rule/status", map[string]string{"status": "live"}), 403)
	wantStatus(t, a.call(t, auth.RolePublisher, "POST", "/v1/admin/rules/new-rule/status", map[string]string{"status": "live"}), 200)
	res, _ := a.engine.Current().Annotate("The Ukraine crisis.", match.Options{})
	if len(res.Annotations) != 1 {
		t.Fatalf("annotations %+v", res.Annotations)
	}
	// Changing a live rule's content keeps it live: that needs a publisher.
	live := exampleRule("new-rule", "live")
	wantStatus(t, a.call(t, auth.RoleEditor, "PUT", "/v1/admin/rules/new-rule", live, "If-Match", `"4"`), 403)

	// Rollback to revision 1 is a new revision with revision 1's content.
	rec = a.call(t, auth.RolePublisher, "POST", "/v1/admin/rules/new-rule/rollback", map[string]int{"revision": 1})
	wantStatus(t, rec, 200)
	var sr contextlens.StoredRule
	json.Unmarshal(rec.Body.Bytes(), &sr)
	if sr.Revision != 5 || sr.Rule.Title != exampleRule("x", "draft").Title || sr.Rule.Status != contextlens.StatusDraft {
		t.Fatalf("after rollback: revision %d title %q status %s", sr.Revision, sr.Rule.Title, sr.Rule.Status)
	}

	// Delete archives and keeps the history.
	wantStatus(t, a.call(t, auth.RoleEditor, "DELETE", "/v1/admin/rules/new-rule", nil), 428)
	wantStatus(t, a.call(t, auth.RoleEditor, "DELETE", "/v1/admin/rules/new-rule", nil, "If-Match", `"5"`), 200)
	rec = a.call(t, auth.RoleViewer, "GET", "/v1/admin/rules/new-rule/revisions", nil)
	var revs struct{ Revisions []contextlens.Revision }
	json.Unmarshal(rec.Body.Bytes(), &revs)
	if len(revs.Revisions) != 6 || revs.Revisions[1].Message != "retitle" || revs.Revisions[1].Author != "editor-user" {
		t.Fatalf("revisions %+v", revs.Revisions)
	}
	rec = a.call(t, auth.RoleViewer, "GET", "/v1/admin/rules?status=archived", nil)
	if !strings.Contains(rec.Body.String(), `"new-rule"`) {
		t.Fatalf("archived rule not listed: %s", rec.Body)
	}

	// The audit log names who did what, from where.
	rec = a.call(t, auth.RoleAdmin, "GET", "/v1/admin/audit?target=new-rule", nil)
	var audit struct{ Entries []contextlens.AuditEntry }
	json.Unmarshal(rec.Body.Bytes(), &audit)
	if len(audit.Entries) != 6 || audit.Entries[0].Action != "rule.archive" || audit.Entries[0].Actor != "editor-user" || audit.Entries[0].Remote == "" {
		t.Fatalf("audit %+v", audit.Entries)
	}
}

func TestAdminRefusesBadRules(t *testing.T) {
	a := newAdminEnv(t)
	bad := exampleRule("Bad ID", "draft")
	bad.Severity = "loud"
	rec := a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", bad)
	wantStatus(t, rec, 422)
	for _, want := range []string{`"field":"id"`, `"field":"severity"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("422 body lacks %s: %s", want, rec.Body)
		}
	}
	failing := exampleRule("failing", "draft")
	failing.Examples["en"] = contextlens.Examples{Match: []string{"No framing here."}, NoMatch: []string{"The Ukraine crisis."}}
	rec = a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", failing)
	wantStatus(t, rec, 422)
	if !strings.Contains(rec.Body.String(), `"kind":"match"`) || !strings.Contains(rec.Body.String(), `"kind":"no_match"`) {
		t.Errorf("422 does not list each failing example: %s", rec.Body)
	}
	// A live rule that matches another live rule's no_match example is refused.
	breaker := exampleRule("breaker", "live")
	breaker.Narrative = "other"
	breaker.Match.Phrases = []string{"energy crisis"}
	breaker.Examples["en"] = contextlens.Examples{Match: []string{"The energy crisis."}, NoMatch: []string{"Calm."}}
	wantStatus(t, a.call(t, auth.RolePublisher, "POST", "/v1/admin/rules", breaker), 201) // other narrative: fine
	breaker2 := breaker
	breaker2.ID, breaker2.Narrative = "breaker2", "war-as-crisis"
	rec = a.call(t, auth.RolePublisher, "POST", "/v1/admin/rules", breaker2)
	wantStatus(t, rec, 201) // examples of seed-live check rule id, so a same-narrative rule is fine too
	if _, err := a.store.GetRule(context.Background(), "failing"); contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
		t.Error("a refused rule was stored")
	}
}

func TestAdminDryRunAndRuleset(t *testing.T) {
	a := newAdminEnv(t)
	rec := a.call(t, auth.RoleEditor, "POST", "/v1/admin/test", map[string]any{"rule": exampleRule("dry", "draft"), "text": "Again the Ukraine crisis."})
	wantStatus(t, rec, 200)
	if !strings.Contains(rec.Body.String(), `"exact":"Ukraine crisis"`) {
		t.Errorf("dry run: %s", rec.Body)
	}
	if _, err := a.store.GetRule(context.Background(), "dry"); err == nil {
		t.Error("a dry run stored the rule")
	}
	rec = a.call(t, auth.RoleViewer, "GET", "/v1/admin/ruleset", nil)
	wantStatus(t, rec, 200)
	if !strings.Contains(rec.Body.String(), `"publisher":"system"`) || !strings.Contains(rec.Body.String(), `"rules":1`) {
		t.Errorf("ruleset: %s", rec.Body)
	}
	wantStatus(t, a.call(t, auth.RoleViewer, "GET", "/v1/admin/rules/seed-live/stats", nil), 200)
	wantStatus(t, a.call(t, auth.RoleViewer, "GET", "/v1/admin/rules/nope/stats", nil), 404)
}

func TestAdminExportRoundTrip(t *testing.T) {
	a := newAdminEnv(t)
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("second", "draft")), 201)
	rec := a.call(t, auth.RoleViewer, "GET", "/v1/admin/export", nil)
	wantStatus(t, rec, 200)
	dir := t.TempDir()
	gz, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		data, _ := io.ReadAll(tr)
		os.WriteFile(p, data, 0o644)
	}
	files, problems, err := rulefile.LoadDir(filepath.Join(dir, "rules"))
	if err != nil || len(problems) > 0 || len(files) != 2 {
		t.Fatalf("exported files: %d, problems %v, err %v", len(files), problems, err)
	}
	for _, f := range files {
		if p := f.Validate(); len(p) > 0 {
			t.Errorf("exported %s invalid: %v", f.Path, p)
		}
		stored, _ := a.store.GetRule(context.Background(), f.Rule.ID)
		if fmt.Sprintf("%+v", stored.Rule) != fmt.Sprintf("%+v", f.Rule) {
			t.Errorf("round trip changed %s:\n%+v\n%+v", f.Rule.ID, stored.Rule, f.Rule)
		}
	}
}

// TestAdminConcurrentEditors: many editors update one rule at once, each
// retrying on 412 after re-reading; no update is lost.
func TestAdminConcurrentEditors(t *testing.T) {
	a := newAdminEnv(t)
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("contested", "draft")), 201)
	const editors, updates = 8, 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	conflicts := 0
	for e := range editors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range updates {
				for {
					rec := a.call(t, auth.RoleEditor, "GET", "/v1/admin/rules/contested", nil)
					var sr contextlens.StoredRule
					json.Unmarshal(rec.Body.Bytes(), &sr)
					r := sr.Rule
					r.Explanation = fmt.Sprintf("%s|e%d-u%d", r.Explanation, e, u) // read-modify-write
					rec = a.call(t, auth.RoleEditor, "PUT", "/v1/admin/rules/contested", r, "If-Match", rec.Header().Get("ETag"))
					if rec.Code == 200 {
						break
					}
					if rec.Code != 412 {
						t.Errorf("unexpected status %d: %s", rec.Code, rec.Body)
						return
					}
					mu.Lock()
					conflicts++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	got, _ := a.store.GetRule(context.Background(), "contested")
	if got.Revision != 1+editors*updates {
		t.Fatalf("revision %d, want %d", got.Revision, 1+editors*updates)
	}
	for e := range editors {
		for u := range updates {
			if !strings.Contains(got.Rule.Explanation, fmt.Sprintf("|e%d-u%d", e, u)) {
				t.Errorf("update e%d-u%d was lost", e, u)
			}
		}
	}
	t.Logf("%d editors x %d updates: %d writes, %d conflicts retried, 0 lost", editors, updates, editors*updates, conflicts)
}

func TestAdminDatabaseDown(t *testing.T) {
	a := newAdminEnv(t)
	a.store.Close()
	rec := a.call(t, auth.RoleViewer, "GET", "/v1/admin/rules", nil)
	wantStatus(t, rec, 503)
	if !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
		t.Errorf("body %s", rec.Body)
	}
	wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("x", "draft")), 503)
	// Readers are not affected.
	rec = a.call(t, "", "POST", "/v1/annotate", map[string]string{"text": "The Ukraine crisis."})
	wantStatus(t, rec, 200)
	if !strings.Contains(rec.Body.String(), "Ukraine crisis") {
		t.Errorf("annotate with the database down: %s", rec.Body)
	}
}

func TestFeedbackReachesStats(t *testing.T) {
	a := newAdminEnv(t)
	send := func(body any) *httptest.ResponseRecorder { return a.call(t, "", "POST", "/v1/feedback", body) }
	wantStatus(t, send(map[string]string{"rule": "seed-live", "ruleset": "v", "reason": "not-framing", "quote": "Ukraine crisis"}), 202)
	wantStatus(t, send(map[string]string{"rule": "seed-live", "reason": "not-framing"}), 202)
	wantStatus(t, send(map[string]string{"rule": "seed-live", "reason": "helpful"}), 202)
	wantStatus(t, send(map[string]string{"rule": "no-such-rule", "reason": "helpful"}), 422)
	wantStatus(t, send(map[string]string{"rule": "seed-live", "reason": "spam"}), 422)
	wantStatus(t, send(map[string]string{"rule": "seed-live", "reason": "helpful", "quote": strings.Repeat("x", 301)}), 422)
	wantStatus(t, send(map[string]string{"rule": "seed-live", "reason": "helpful", "url": "https://reader.example/private"}), 400)
	rec := a.call(t, auth.RoleViewer, "GET", "/v1/admin/rules/seed-live/stats", nil)
	wantStatus(t, rec, 200)
	var st ruleset.RuleStats
	json.Unmarshal(rec.Body.Bytes(), &st)
	if st.Reports["not-framing"] != 2 || st.Reports["helpful"] != 1 {
		t.Errorf("stats %+v", st)
	}
	a.store.Close()
	wantStatus(t, send(map[string]string{"rule": "seed-live", "reason": "helpful"}), 503)
}
