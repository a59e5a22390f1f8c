package httpapi

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/auth"
	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/internal/testenv"
	"github.com/contextlens/contextlens/backend/sqlstore"
)

// openPGStore opens a store in a fresh schema of its own, dropped (with
// everything in it, and nothing else) when the test ends.
func openPGStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	schema := testenv.PostgresSchema(t, "clhttp_")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	store, err := sqlstore.Open(ctx, testenv.PostgresURL(), sqlstore.WithSearchPath(schema))
	if err != nil {
		t.Fatalf("open PostgreSQL store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// onBothDrivers runs fn on an admin server over SQLite and over PostgreSQL.
func onBothDrivers(t *testing.T, fn func(t *testing.T, a *adminEnv)) {
	t.Run("sqlite", func(t *testing.T) {
		store, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		fn(t, newAdminEnvOn(t, store))
	})
	t.Run("postgres", func(t *testing.T) { fn(t, newAdminEnvOn(t, openPGStore(t))) })
}

// wantField checks a 422 names field in its details.
func wantField(t *testing.T, rec *httptest.ResponseRecorder, field string) {
	t.Helper()
	wantStatus(t, rec, 422)
	if !strings.Contains(rec.Body.String(), `"field":"`+field+`"`) {
		t.Errorf("422 does not name %s: %s", field, rec.Body)
	}
}

// TestStoredTextRefusesControlCharacters: no text that is stored (a rule's
// fields, a revision message from the header or a body, a status, a
// reader's report) may hold NUL or another C0/C1 control character; the
// request is refused with 422 naming the field before anything reaches the
// database, on SQLite (which stored NUL raw) and on PostgreSQL (which
// answered 500), and nothing is stored.
func TestStoredTextRefusesControlCharacters(t *testing.T) {
	onBothDrivers(t, func(t *testing.T, a *adminEnv) {
		ctx := context.Background()
		wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("target", "draft")), 201)
		withNear := func(r *contextlens.Rule) {
			r.Match.Near = &contextlens.Window{Terms: []string{"war", "russia*"}, Window: 8}
			r.Match.Unless = &contextlens.Window{Terms: []string{"energy"}, Window: 3}
		}
		rules := []struct {
			field string
			mod   func(r *contextlens.Rule, bad string)
		}{
			{"title", func(r *contextlens.Rule, v string) { r.Title = v }},
			{"summary", func(r *contextlens.Rule, v string) { r.Summary = v }},
			{"explanation", func(r *contextlens.Rule, v string) { r.Explanation = "Long enough. " + v }},
			{"match.phrases[1]", func(r *contextlens.Rule, v string) { r.Match.Phrases[1] = "ukraine " + v }},
			{"match.near.terms[1]", func(r *contextlens.Rule, v string) { withNear(r); r.Match.Near.Terms[1] = v }},
			{"match.unless.terms[0]", func(r *contextlens.Rule, v string) { withNear(r); r.Match.Unless.Terms[0] = v }},
			{"match.regex", func(r *contextlens.Rule, v string) { r.Match.Regex = `ukraine\s` + v }},
			{"sources[0].title", func(r *contextlens.Rule, v string) { r.Sources[0].Title = v }},
			{"sources[0].publisher", func(r *contextlens.Rule, v string) { r.Sources[0].Publisher = v }},
			{"sources[0].url", func(r *contextlens.Rule, v string) { r.Sources[0].URL = "https://example.org/" + v }},
			{"examples.en.match[0]", func(r *contextlens.Rule, v string) {
				r.Examples["en"] = contextlens.Examples{Match: []string{"The Ukraine crisis " + v}, NoMatch: r.Examples["en"].NoMatch}
			}},
			{"examples.en.no_match[0]", func(r *contextlens.Rule, v string) {
				r.Examples["en"] = contextlens.Examples{Match: r.Examples["en"].Match, NoMatch: []string{"Calm " + v}}
			}},
		}
		bads := []string{"a\x00b", "\x00", "a\x07b", "a\x1b[2Jb", "a\x7fb", "a\u0085b", "a\u009bb"}
		for i, f := range rules {
			for j, bad := range bads {
				id := "bad-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
				r := exampleRule(id, "draft")
				f.mod(&r, bad)
				wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", r), f.field)
				if _, err := a.store.GetRule(ctx, id); contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
					t.Errorf("%s %+q: the refused rule was stored (%v)", f.field, bad, err)
				}
				r.ID = "target"
				wantField(t, a.call(t, auth.RoleEditor, "PUT", "/v1/admin/rules/target", r, "If-Match", `"1"`), f.field)
				wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/test", map[string]any{"rule": r, "text": "The Ukraine crisis."}), f.field)
			}
		}
		// Revision messages: the header, and the status and rollback bodies.
		for _, bad := range bads {
			wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("msg", "draft"), "X-Change-Message", "note "+bad), "X-Change-Message")
			wantField(t, a.call(t, auth.RoleEditor, "PUT", "/v1/admin/rules/target", exampleRule("target", "draft"), "If-Match", `"1"`, "X-Change-Message", bad), "X-Change-Message")
			wantField(t, a.call(t, auth.RoleEditor, "DELETE", "/v1/admin/rules/target", nil, "If-Match", `"1"`, "X-Change-Message", bad), "X-Change-Message")
			wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules/target/status", map[string]string{"status": "shadow", "message": "note " + bad}), "message")
			wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules/target/rollback", map[string]any{"revision": 1, "message": bad}), "message")
			rec := a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules/target/status", map[string]string{"status": "shadow" + bad})
			wantStatus(t, rec, 422)
			if !strings.Contains(errorOf(t, rec).Message, "status") {
				t.Errorf("a bad status is not named: %s", rec.Body)
			}
		}
		wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", exampleRule("msg", "draft"), "X-Change-Message", "not UTF-8 \xff"), "X-Change-Message")
		if _, err := a.store.GetRule(ctx, "msg"); contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
			t.Errorf("a rule with a refused message was stored (%v)", err)
		}
		// Readers' reports (no token needed, so the first place to guard).
		for _, bad := range bads {
			for field, body := range map[string]map[string]string{
				"quote":   {"rule": "seed-live", "reason": "not-framing", "quote": "Ukraine " + bad + " crisis"},
				"ruleset": {"rule": "seed-live", "ruleset": "v" + bad, "reason": "not-framing"},
				"rule":    {"rule": "seed-live" + bad, "reason": "not-framing"},
			} {
				wantField(t, a.call(t, "", "POST", "/v1/feedback", body), field)
			}
		}
		// The token's subject becomes a revision's author: a control
		// character in it is refused at the door.
		for _, sub := range []string{"eve\x00", "eve\u0085"} {
			tok, err := a.issuer.Mint(sub, auth.RoleEditor, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(exampleRule("by-eve", "draft"))
			wantStatus(t, a.callRaw(t, "", "POST", "/v1/admin/rules", string(b), "Authorization", "Bearer "+tok), 401)
		}
		// Nothing was stored: one revision, one audit entry, no reports.
		if revs, err := a.store.Revisions(ctx, "target"); err != nil || len(revs) != 1 {
			t.Errorf("revisions of target: %d (%v), want 1", len(revs), err)
		}
		if entries, err := a.store.Audit(ctx, contextlens.AuditFilter{Target: "target"}); err != nil || len(entries) != 1 {
			t.Errorf("audit entries of target: %d (%v), want 1", len(entries), err)
		}
		if all, err := a.store.Audit(ctx, contextlens.AuditFilter{}); err != nil || len(all) != 1 {
			t.Errorf("audit entries: %+v (%v), want only the creation of target", all, err)
		}
		if rules, err := a.store.ListRules(ctx, contextlens.RuleFilter{}); err != nil || len(rules) != 2 {
			t.Errorf("%d rules stored (%v), want seed-live and target", len(rules), err)
		}
		if counts, err := a.store.FeedbackCounts(ctx, "seed-live"); err != nil || len(counts) != 0 {
			t.Errorf("reports stored: %v (%v)", counts, err)
		}
		// Tab, newline and CR are text, and are stored as sent.
		ok := exampleRule("multiline", "draft")
		ok.Explanation = "First line.\nSecond\tline.\r\nThird."
		wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", ok, "X-Change-Message", "a\tnote"), 201)
		if got, err := a.store.GetRule(ctx, "multiline"); err != nil || got.Rule.Explanation != ok.Explanation {
			t.Errorf("multiline explanation read back as %+q (%v)", got.Rule.Explanation, err)
		}
		wantStatus(t, a.call(t, "", "POST", "/v1/feedback", map[string]string{"rule": "seed-live", "reason": "unclear", "quote": "Ukraine\tcrisis"}), 202)
	})
}

// TestRuleTextRefusesBidiAndZeroWidth: the texts editors write and read
// refuse bidi controls and zero-width characters, naming the field, so a
// phrase cannot display as one thing and match another.
func TestRuleTextRefusesBidiAndZeroWidth(t *testing.T) {
	a := newAdminEnv(t)
	rules := []struct {
		field string
		mod   func(r *contextlens.Rule, v string)
	}{
		{"title", func(r *contextlens.Rule, v string) { r.Title = v }},
		{"summary", func(r *contextlens.Rule, v string) { r.Summary = v }},
		{"explanation", func(r *contextlens.Rule, v string) { r.Explanation = v }},
		{"sources[0].title", func(r *contextlens.Rule, v string) { r.Sources[0].Title = v }},
		{"sources[0].publisher", func(r *contextlens.Rule, v string) { r.Sources[0].Publisher = v }},
		{"match.phrases[2]", func(r *contextlens.Rule, v string) { r.Match.Phrases = append(r.Match.Phrases, v) }},
		{"match.near.terms[0]", func(r *contextlens.Rule, v string) {
			r.Match.Near = &contextlens.Window{Terms: []string{v}, Window: 5}
		}},
		{"match.unless.terms[1]", func(r *contextlens.Rule, v string) {
			r.Match.Unless = &contextlens.Window{Terms: []string{"energy", v}, Window: 5}
		}},
		{"examples.en.match[1]", func(r *contextlens.Rule, v string) {
			r.Examples["en"] = contextlens.Examples{Match: []string{"The Ukraine crisis.", v}, NoMatch: r.Examples["en"].NoMatch}
		}},
		{"examples.en.no_match[0]", func(r *contextlens.Rule, v string) {
			r.Examples["en"] = contextlens.Examples{Match: r.Examples["en"].Match, NoMatch: []string{v}}
		}},
	}
	hidden := []string{
		"zorblax \u202eetalp", "a\u202ab", "a\u202bb", "a\u202cb", "a\u202db", "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b",
		"a\u200eb", "a\u200fb", "a\u061cb", // bidi controls
		"ukr\u200baine", "a\u200cb", "a\u200db", "a\u2060b", "\ufeffa", // zero-width
	}
	for i, f := range rules {
		for j, v := range hidden {
			id := "hidden-" + strconv.Itoa(i) + "-" + strconv.Itoa(j)
			r := exampleRule(id, "draft")
			f.mod(&r, v)
			wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", r), f.field)
			if _, err := a.store.GetRule(context.Background(), id); contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
				t.Errorf("%s %+q: the refused rule was stored", f.field, v)
			}
		}
	}
	// Readers' quotes are ordinary writing: a mark or joiner is kept.
	wantStatus(t, a.call(t, "", "POST", "/v1/feedback", map[string]string{"rule": "seed-live", "reason": "helpful", "quote": "Ukraine crisis \u200f"}), 202)
}

// TestRuleTextLengthCaps: every text field of a rule has a cap in
// characters (the URL in bytes); one over it is 422 naming the field, the
// cap itself is accepted.
func TestRuleTextLengthCaps(t *testing.T) {
	a := newAdminEnv(t)
	fields := []struct {
		field string
		max   int
		mod   func(r *contextlens.Rule, n int)
	}{
		{"title", contextlens.MaxTitleLen, func(r *contextlens.Rule, n int) { r.Title = strings.Repeat("я", n) }},
		{"summary", contextlens.MaxSummaryLen, func(r *contextlens.Rule, n int) { r.Summary = strings.Repeat("я", n) }},
		{"explanation", contextlens.MaxExplanationLen, func(r *contextlens.Rule, n int) { r.Explanation = strings.Repeat("я", n) }},
		{"sources[0].title", contextlens.MaxSourceTitleLen, func(r *contextlens.Rule, n int) { r.Sources[0].Title = strings.Repeat("я", n) }},
		{"sources[0].publisher", contextlens.MaxSourcePublisherLen, func(r *contextlens.Rule, n int) { r.Sources[0].Publisher = strings.Repeat("я", n) }},
		{"sources[0].url", contextlens.MaxSourceURLLen, func(r *contextlens.Rule, n int) {
			r.Sources[0].URL = "https://example.org/" + strings.Repeat("a", n-len("https://example.org/"))
		}},
		{"match.unless.terms[0]", contextlens.MaxPhraseLen, func(r *contextlens.Rule, n int) {
			r.Match.Unless = &contextlens.Window{Terms: []string{strings.Repeat("я", n)}, Window: 3}
		}},
		{"examples.en.no_match[0]", contextlens.MaxExampleLen, func(r *contextlens.Rule, n int) {
			r.Examples["en"] = contextlens.Examples{Match: r.Examples["en"].Match, NoMatch: []string{strings.Repeat("я", n)}}
		}},
	}
	if contextlens.MaxTitleLen != 200 || contextlens.MaxSourceTitleLen != 300 || contextlens.MaxSourcePublisherLen != 200 ||
		contextlens.MaxSourceURLLen != 2048 || contextlens.MaxExampleLen != 1000 {
		t.Errorf("caps changed: update README.md, rules/schema.json and this test together")
	}
	for i, f := range fields {
		over := exampleRule("over-"+strconv.Itoa(i), "draft")
		f.mod(&over, f.max+1)
		wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", over), f.field)
		at := exampleRule("at-"+strconv.Itoa(i), "draft")
		f.mod(&at, f.max)
		wantStatus(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", at), 201)
	}
	// The case: a title of 80,000 characters.
	huge := exampleRule("huge-title", "draft")
	huge.Title = strings.Repeat("t", 80_000)
	wantField(t, a.call(t, auth.RoleEditor, "POST", "/v1/admin/rules", huge), "title")
}
