package sqlstore

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// runContract checks the contextlens.RuleStore contract on stores made by
// open, a fresh empty store per subtest. Every driver runs the same suite.
func runContract(t *testing.T, open func(t *testing.T) *Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *Store)
	}{
		{"CreateGet", testCreateGet},
		{"CreateConflict", testCreateConflict},
		{"Invalid", testInvalid},
		{"GetNotFound", testGetNotFound},
		{"Update", testUpdate},
		{"UpdateStale", testUpdateStale},
		{"UpdateNotFound", testUpdateNotFound},
		{"RevisionNotFound", testRevisionNotFound},
		{"ListRules", testListRules},
		{"MatchedRules", testMatchedRules},
		{"Seed", testSeed},
		{"Audit", testAudit},
		{"AuditLimits", testAuditLimits},
		{"Publications", testPublications},
		{"Feedback", testFeedback},
		{"Closed", testClosed},
		{"ConcurrentUpdates", testConcurrentUpdates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var testChange = contextlens.Change{Author: "editor@example.org", Message: "first version"}

// testRule returns a complete rule, using every field, changed by mods.
func testRule(id string, mods ...func(*contextlens.Rule)) contextlens.Rule {
	from, _ := contextlens.ParseDate("2022-02-24")
	r := contextlens.Rule{
		ID:          id,
		Narrative:   "war-euphemisms",
		Title:       "Special military operation",
		Summary:     "A euphemism for the full-scale invasion.",
		Explanation: "Official term that hides the war.",
		Category:    "euphemism",
		Severity:    contextlens.SeverityWarning,
		Status:      contextlens.StatusLive,
		Languages:   []string{"en", "ru"},
		ValidFrom:   &from,
		Match: contextlens.Match{
			Phrases: []string{"special military operation", "специальная военная операция", "кризис*"},
			Near:    &contextlens.Window{Terms: []string{"ukraine"}, Window: 8},
			Unless:  &contextlens.Window{Terms: []string{"humanitarian"}, Window: 3},
		},
		Sources: []contextlens.Source{{Title: "UN GA resolution ES-11/1", URL: "https://example.org/es-11-1", Publisher: "UN"}},
		Examples: map[string]contextlens.Examples{
			"ru": {Match: []string{"Специальная военная операция продолжается."}, NoMatch: []string{"Военная операция."}},
		},
	}
	for _, m := range mods {
		m(&r)
	}
	return r
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := contextlens.ErrorCode(err); got != code {
		t.Fatalf("code = %q (err %v), want %q", got, err, code)
	}
}

// must pairs a result with its error, so that must(f()).on(t) is f's result
// or the end of the test.
func must[T any](v T, err error) checked[T] { return checked[T]{v, err} }

type checked[T any] struct {
	v   T
	err error
}

func (c checked[T]) on(t *testing.T) T {
	t.Helper()
	if c.err != nil {
		t.Fatal(c.err)
	}
	return c.v
}

func testCreateGet(t *testing.T, s *Store) {
	ctx := context.Background()
	before := time.Now().Add(-time.Second)
	r := testRule("smo")
	created := must(s.CreateRule(ctx, r, testChange)).on(t)
	if created.Revision != 1 || created.Author != testChange.Author {
		t.Errorf("created revision %d by %q, want 1 by %q", created.Revision, created.Author, testChange.Author)
	}
	if created.Updated.Before(before) || created.Updated.After(time.Now().Add(time.Second)) {
		t.Errorf("created.Updated = %v, want about now", created.Updated)
	}
	if !reflect.DeepEqual(created.Rule, r) {
		t.Errorf("created rule = %+v\nwant %+v", created.Rule, r)
	}
	got := must(s.GetRule(ctx, "smo")).on(t)
	if !reflect.DeepEqual(got.Rule, r) || got.Revision != 1 || got.Author != created.Author || !got.Updated.Equal(created.Updated) {
		t.Errorf("GetRule = %+v\nwant %+v", got, created)
	}
	revs := must(s.Revisions(ctx, "smo")).on(t)
	if len(revs) != 1 {
		t.Fatalf("%d revisions, want 1", len(revs))
	}
	want := contextlens.Revision{RuleID: "smo", Number: 1, Author: testChange.Author, Time: created.Updated, Message: testChange.Message, Rule: r}
	if rev := revs[0]; !reflect.DeepEqual(rev.Rule, want.Rule) || rev.RuleID != want.RuleID || rev.Number != 1 ||
		rev.Author != want.Author || rev.Message != want.Message || !rev.Time.Equal(want.Time) {
		t.Errorf("revision = %+v\nwant %+v", rev, want)
	}
}

func testCreateConflict(t *testing.T, s *Store) {
	ctx := context.Background()
	must(s.CreateRule(ctx, testRule("smo"), testChange)).on(t)
	_, err := s.CreateRule(ctx, testRule("smo", func(r *contextlens.Rule) { r.Title = "other" }), testChange)
	wantCode(t, err, contextlens.ECONFLICT)
	if got := must(s.GetRule(ctx, "smo")).on(t); got.Rule.Title != testRule("smo").Title || got.Revision != 1 {
		t.Errorf("after the conflict: %q at revision %d, want the original at 1", got.Rule.Title, got.Revision)
	}
	if revs := must(s.Revisions(ctx, "smo")).on(t); len(revs) != 1 {
		t.Errorf("%d revisions after the conflict, want 1", len(revs))
	}
}

func testInvalid(t *testing.T, s *Store) {
	ctx := context.Background()
	_, err := s.CreateRule(ctx, testRule(""), testChange)
	wantCode(t, err, contextlens.EINVALID)
	_, err = s.CreateRule(ctx, testRule("x", func(r *contextlens.Rule) { r.Status = "published" }), testChange)
	wantCode(t, err, contextlens.EINVALID)
	// Control characters in a revision's author or message never reach SQL.
	for _, c := range []contextlens.Change{{Author: "a\x00"}, {Author: "a", Message: "m\x00"}, {Author: "a", Message: "m\u009b"}, {Author: "a", Message: "m\xff"}} {
		_, err = s.CreateRule(ctx, testRule("ctl"), c)
		wantCode(t, err, contextlens.EINVALID)
		_, err = s.Seed(ctx, []contextlens.Rule{testRule("ctl")}, c)
		wantCode(t, err, contextlens.EINVALID)
	}
	if _, err := s.GetRule(ctx, "ctl"); contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
		t.Errorf("a refused rule was stored: %v", err)
	}
	wantCode(t, s.AppendAudit(ctx, contextlens.AuditEntry{Actor: "a"}), contextlens.EINVALID)
	wantCode(t, s.RecordPublication(ctx, contextlens.Publication{}), contextlens.EINVALID)
}

func testGetNotFound(t *testing.T, s *Store) {
	_, err := s.GetRule(context.Background(), "nope")
	wantCode(t, err, contextlens.ENOTFOUND)
}

func testUpdate(t *testing.T, s *Store) {
	ctx := context.Background()
	first := must(s.CreateRule(ctx, testRule("smo"), testChange)).on(t)
	r := first.Rule
	r.Status = contextlens.StatusArchived
	r.Title = "Спецоперация"
	c := contextlens.Change{Author: "publisher@example.org", Message: "archive"}
	updated := must(s.UpdateRule(ctx, r, 1, c)).on(t)
	if updated.Revision != 2 || updated.Author != c.Author || !reflect.DeepEqual(updated.Rule, r) {
		t.Errorf("UpdateRule = %+v, want revision 2 by %s", updated, c.Author)
	}
	got := must(s.GetRule(ctx, "smo")).on(t)
	if got.Revision != 2 || got.Rule.Title != "Спецоперация" || got.Rule.Status != contextlens.StatusArchived {
		t.Errorf("GetRule after update = %+v", got)
	}
	revs := must(s.Revisions(ctx, "smo")).on(t)
	if len(revs) != 2 || revs[0].Number != 1 || revs[1].Number != 2 {
		t.Fatalf("revisions = %+v, want 1 and 2", revs)
	}
	if revs[1].Message != "archive" || revs[1].Author != c.Author || revs[1].Rule.Title != "Спецоперация" {
		t.Errorf("revision 2 = %+v", revs[1])
	}
	old := must(s.Revision(ctx, "smo", 1)).on(t)
	if !reflect.DeepEqual(old.Rule, first.Rule) {
		t.Errorf("revision 1 changed: %+v", old.Rule)
	}
}

func testUpdateStale(t *testing.T, s *Store) {
	ctx := context.Background()
	must(s.CreateRule(ctx, testRule("smo"), testChange)).on(t)
	must(s.UpdateRule(ctx, testRule("smo", func(r *contextlens.Rule) { r.Title = "second" }), 1, testChange)).on(t)
	for _, expect := range []int{0, 1, 3} {
		_, err := s.UpdateRule(ctx, testRule("smo", func(r *contextlens.Rule) { r.Title = "lost" }), expect, testChange)
		wantCode(t, err, contextlens.ESTALE)
	}
	got := must(s.GetRule(ctx, "smo")).on(t)
	if got.Revision != 2 || got.Rule.Title != "second" {
		t.Errorf("after stale updates: %q at %d, want \"second\" at 2", got.Rule.Title, got.Revision)
	}
	if revs := must(s.Revisions(ctx, "smo")).on(t); len(revs) != 2 {
		t.Errorf("%d revisions, want 2: a stale update must write nothing", len(revs))
	}
}

func testUpdateNotFound(t *testing.T, s *Store) {
	_, err := s.UpdateRule(context.Background(), testRule("nope"), 1, testChange)
	wantCode(t, err, contextlens.ENOTFOUND)
}

func testRevisionNotFound(t *testing.T, s *Store) {
	ctx := context.Background()
	must(s.CreateRule(ctx, testRule("smo"), testChange)).on(t)
	_, err := s.Revisions(ctx, "nope")
	wantCode(t, err, contextlens.ENOTFOUND)
	_, err = s.Revision(ctx, "smo", 2)
	wantCode(t, err, contextlens.ENOTFOUND)
	_, err = s.Revision(ctx, "nope", 1)
	wantCode(t, err, contextlens.ENOTFOUND)
}

func testListRules(t *testing.T, s *Store) {
	ctx := context.Background()
	rules := []contextlens.Rule{
		testRule("a-smo"),
		testRule("b-crisis", func(r *contextlens.Rule) {
			r.Narrative, r.Status, r.Languages = "economy", contextlens.StatusDraft, []string{"uk"}
			r.Title, r.Summary, r.Match.Phrases = "Криза", "100% made up", []string{"криз*"}
		}),
		testRule("c-nazi", func(r *contextlens.Rule) {
			r.Status, r.Languages = contextlens.StatusShadow, []string{"ru"}
			r.Title, r.Summary, r.Match.Phrases = "Denazification", "A pretext.", []string{"денацификация"}
			r.Explanation = "Mentions crisis only here."
		}),
	}
	if n := must(s.Seed(ctx, rules, testChange)).on(t); n != 3 {
		t.Fatalf("seeded %d, want 3", n)
	}
	tests := []struct {
		name string
		f    contextlens.RuleFilter
		want []string
	}{
		{"all", contextlens.RuleFilter{}, []string{"a-smo", "b-crisis", "c-nazi"}},
		{"status", contextlens.RuleFilter{Status: contextlens.StatusShadow}, []string{"c-nazi"}},
		{"status none", contextlens.RuleFilter{Status: contextlens.StatusArchived}, []string{}},
		{"narrative", contextlens.RuleFilter{Narrative: "war-euphemisms"}, []string{"a-smo", "c-nazi"}},
		{"lang", contextlens.RuleFilter{Lang: "ru"}, []string{"a-smo", "c-nazi"}},
		{"lang whole code", contextlens.RuleFilter{Lang: "r"}, []string{}},
		{"query id", contextlens.RuleFilter{Query: "NAZI"}, []string{"c-nazi"}},
		{"query title cyrillic case", contextlens.RuleFilter{Query: "КРИЗА"}, []string{"b-crisis"}},
		{"query phrase", contextlens.RuleFilter{Query: "военная"}, []string{"a-smo"}},
		{"query summary", contextlens.RuleFilter{Query: "pretext"}, []string{"c-nazi"}},
		{"query not explanation", contextlens.RuleFilter{Query: "mentions crisis"}, []string{}},
		{"query percent literal", contextlens.RuleFilter{Query: "0%"}, []string{"b-crisis"}},
		{"query underscore literal", contextlens.RuleFilter{Query: "a_smo"}, []string{}},
		{"combined", contextlens.RuleFilter{Narrative: "war-euphemisms", Lang: "en", Query: "special"}, []string{"a-smo"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := must(s.ListRules(ctx, tt.f)).on(t)
			got := []string{}
			for _, sr := range list {
				got = append(got, sr.Rule.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ListRules(%+v) = %v, want %v", tt.f, got, tt.want)
			}
		})
	}
	if list := must(s.ListRules(ctx, contextlens.RuleFilter{Query: "zzz"})).on(t); list == nil {
		t.Error("ListRules with no hits returned nil, want an empty slice")
	}
}

func testMatchedRules(t *testing.T, s *Store) {
	ctx := context.Background()
	var rules []contextlens.Rule
	for i, st := range []contextlens.Status{contextlens.StatusLive, contextlens.StatusDraft, contextlens.StatusShadow, contextlens.StatusArchived} {
		rules = append(rules, testRule(fmt.Sprintf("r%d-%s", i, st), func(r *contextlens.Rule) { r.Status = st }))
	}
	must(s.Seed(ctx, rules, testChange)).on(t)
	var got []string
	for _, r := range must(s.MatchedRules(ctx)).on(t) {
		got = append(got, r.ID)
	}
	if want := []string{"r0-live", "r2-shadow"}; !slices.Equal(got, want) {
		t.Errorf("MatchedRules = %v, want %v", got, want)
	}
}

func testSeed(t *testing.T, s *Store) {
	ctx := context.Background()
	seed := contextlens.Change{Author: "seed", Message: "from rules/"}
	base := []contextlens.Rule{testRule("a"), testRule("b")}
	if n := must(s.Seed(ctx, base, seed)).on(t); n != 2 {
		t.Errorf("first Seed inserted %d, want 2", n)
	}
	// An editor changes a; seeding again must not undo it.
	must(s.UpdateRule(ctx, testRule("a", func(r *contextlens.Rule) { r.Title = "edited" }), 1, testChange)).on(t)
	if n := must(s.Seed(ctx, base, seed)).on(t); n != 0 {
		t.Errorf("second Seed inserted %d, want 0", n)
	}
	if n := must(s.Seed(ctx, append(base, testRule("c")), seed)).on(t); n != 1 {
		t.Errorf("Seed with one new rule inserted %d, want 1", n)
	}
	if a := must(s.GetRule(ctx, "a")).on(t); a.Rule.Title != "edited" || a.Revision != 2 {
		t.Errorf("seeding changed an existing rule: %q at %d", a.Rule.Title, a.Revision)
	}
	c := must(s.Revision(ctx, "c", 1)).on(t)
	if c.Author != "seed" || c.Message != "from rules/" {
		t.Errorf("seeded revision by %q %q, want the seed change", c.Author, c.Message)
	}
	// A bad rule refuses the whole seed.
	_, err := s.Seed(ctx, []contextlens.Rule{testRule("d"), testRule("")}, seed)
	wantCode(t, err, contextlens.EINVALID)
	_, err = s.GetRule(ctx, "d")
	wantCode(t, err, contextlens.ENOTFOUND)
}

func testAudit(t *testing.T, s *Store) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	entries := []contextlens.AuditEntry{
		{Time: t0, Actor: "ann", Role: "editor", Action: "rule.create", Target: "a", Remote: "10.0.0.1"},
		{Time: t0.Add(time.Minute), Actor: "bob", Role: "publisher", Action: "rule.status", Target: "a", Remote: "10.0.0.2", Detail: "live"},
		{Time: t0.Add(2 * time.Minute), Actor: "ann", Role: "editor", Action: "rule.update", Target: "b"},
		{Actor: "ann", Role: "editor", Action: "publish"}, // zero Time: now
	}
	for _, e := range entries {
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all := must(s.Audit(ctx, contextlens.AuditFilter{})).on(t)
	if len(all) != 4 || all[0].Action != "publish" || all[3].Action != "rule.create" {
		t.Fatalf("Audit = %+v, want 4 entries newest first", all)
	}
	if time.Since(all[0].Time) > time.Minute {
		t.Errorf("zero Time stored as %v, want now", all[0].Time)
	}
	if got, want := all[2], entries[1]; got.ID == 0 || !got.Time.Equal(want.Time) || got.Actor != want.Actor ||
		got.Role != want.Role || got.Target != want.Target || got.Remote != want.Remote || got.Detail != want.Detail {
		t.Errorf("entry = %+v, want %+v", got, want)
	}
	tests := []struct {
		name string
		f    contextlens.AuditFilter
		want []string // actions, newest first
	}{
		{"actor", contextlens.AuditFilter{Actor: "ann"}, []string{"publish", "rule.update", "rule.create"}},
		{"action", contextlens.AuditFilter{Action: "rule.status"}, []string{"rule.status"}},
		{"target", contextlens.AuditFilter{Target: "a"}, []string{"rule.status", "rule.create"}},
		{"since", contextlens.AuditFilter{Since: t0.Add(time.Minute)}, []string{"publish", "rule.update", "rule.status"}},
		{"since other zone", contextlens.AuditFilter{Since: t0.Add(90 * time.Second).In(time.FixedZone("UTC+3", 3*3600))}, []string{"publish", "rule.update"}},
		{"limit", contextlens.AuditFilter{Actor: "ann", Limit: 2}, []string{"publish", "rule.update"}},
		{"none", contextlens.AuditFilter{Actor: "eve"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := []string{}
			for _, e := range must(s.Audit(ctx, tt.f)).on(t) {
				got = append(got, e.Action)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Audit(%+v) = %v, want %v", tt.f, got, tt.want)
			}
		})
	}
}

func testAuditLimits(t *testing.T, s *Store) {
	ctx := context.Background()
	for i := range maxAuditLimit + 5 {
		if err := s.AppendAudit(ctx, contextlens.AuditEntry{Actor: "bot", Action: "rule.update", Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {7, 7}, {5000, 1000}} {
		got := must(s.Audit(ctx, contextlens.AuditFilter{Limit: tt.limit})).on(t)
		if len(got) != tt.want {
			t.Errorf("Limit %d returned %d entries, want %d", tt.limit, len(got), tt.want)
		}
		if len(got) > 0 && got[0].Target != fmt.Sprint(maxAuditLimit+4) {
			t.Errorf("Limit %d: first entry %q, want the newest", tt.limit, got[0].Target)
		}
	}
}

func testPublications(t *testing.T, s *Store) {
	ctx := context.Background()
	_, err := s.LatestPublication(ctx)
	wantCode(t, err, contextlens.ENOTFOUND)
	p1 := contextlens.Publication{Version: "v1", Rules: 10, Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), Publisher: "pub"}
	// Recorded later with an earlier time: the latest is the last recorded.
	p2 := contextlens.Publication{Version: "v2", Rules: 12, Published: p1.Published.Add(-time.Hour), Publisher: "pub2"}
	for _, p := range []contextlens.Publication{p1, p2} {
		if err := s.RecordPublication(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got := must(s.LatestPublication(ctx)).on(t)
	if got.Version != p2.Version || got.Rules != p2.Rules || got.Publisher != p2.Publisher || !got.Published.Equal(p2.Published) {
		t.Errorf("LatestPublication = %+v, want %+v", got, p2)
	}
}

func testClosed(t *testing.T, s *Store) {
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, call := range storeCalls(s) {
		if err := call(ctx); contextlens.ErrorCode(err) != contextlens.EUNAVAILABLE {
			t.Errorf("%s after Close: %v, want %s", name, err, contextlens.EUNAVAILABLE)
		}
	}
}

func testFeedback(t *testing.T, s *Store) {
	ctx := context.Background()
	if c, err := s.FeedbackCounts(ctx, "r1"); err != nil || len(c) != 0 {
		t.Fatalf("counts before any report: %v %v", c, err)
	}
	for _, reason := range []string{"not-framing", "not-framing", "helpful"} {
		if err := s.AddFeedback(ctx, contextlens.Feedback{Rule: "r1", Ruleset: "v1", Reason: reason, Quote: "кризис"}); err != nil {
			t.Fatal(err)
		}
	}
	s.AddFeedback(ctx, contextlens.Feedback{Rule: "r2", Reason: "unclear"})
	c, err := s.FeedbackCounts(ctx, "r1")
	if err != nil || !reflect.DeepEqual(c, map[string]int64{"not-framing": 2, "helpful": 1}) {
		t.Errorf("counts %v %v", c, err)
	}
	for _, bad := range []contextlens.Feedback{
		{Reason: "helpful"},
		{Rule: "r1", Reason: "spam"},
		{Rule: "r1", Reason: "helpful", Quote: "a\x00b"},
		{Rule: "r1", Reason: "helpful", Quote: "a\u0085b"},
		{Rule: "r1", Ruleset: "v\x00", Reason: "helpful"},
		{Rule: "r1\x00", Reason: "helpful"},
	} {
		if err := s.AddFeedback(ctx, bad); contextlens.ErrorCode(err) != contextlens.EINVALID {
			t.Errorf("AddFeedback(%+q): %v, want EINVALID", bad, err)
		}
	}
	if c, err := s.FeedbackCounts(ctx, "r1"); err != nil || c["helpful"] != 1 {
		t.Errorf("counts after refused reports %v %v", c, err)
	}
}
