package ruleset

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/contextlens/contextlens/backend/auth"
	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
)

// Actor is who asks for a change, as the admin API authenticated them.
type Actor struct {
	Subject string
	Role    auth.Role
	Remote  string // client address, for the audit log
}

// HitCounter reads per-rule hit counts; *rediscache.Cache implements it.
type HitCounter interface {
	Hits(ctx context.Context, ruleID string) (live, shadow int64, err error)
}

// Service is the editors' view of the rules: every write is validated,
// checked against the examples of every live rule, recorded as a revision
// and in the audit log, and published when it changes what is matched.
type Service struct {
	store  contextlens.RuleStore
	pub    *Publisher
	hits   HitCounter // nil: no Redis, no counts
	logger *slog.Logger
}

// NewService wires a Service; hits may be nil.
func NewService(store contextlens.RuleStore, pub *Publisher, hits HitCounter, logger *slog.Logger) *Service {
	return &Service{store: store, pub: pub, hits: hits, logger: logger}
}

// List returns the rules matching f.
func (s *Service) List(ctx context.Context, f contextlens.RuleFilter) ([]contextlens.StoredRule, error) {
	return s.store.ListRules(ctx, f)
}

// Get returns one rule.
func (s *Service) Get(ctx context.Context, id string) (contextlens.StoredRule, error) {
	return s.store.GetRule(ctx, id)
}

// Revisions returns every revision of a rule, oldest first.
func (s *Service) Revisions(ctx context.Context, id string) ([]contextlens.Revision, error) {
	return s.store.Revisions(ctx, id)
}

// Create stores a new rule as revision 1.
func (s *Service) Create(ctx context.Context, a Actor, r contextlens.Rule, message string) (contextlens.StoredRule, error) {
	return s.apply(ctx, a, nil, r, "rule.create", func() (contextlens.StoredRule, error) {
		return s.store.CreateRule(ctx, r, s.change(a, message, "created"))
	})
}

// Update replaces a rule whose current revision is expect.
func (s *Service) Update(ctx context.Context, a Actor, r contextlens.Rule, expect int, message string) (contextlens.StoredRule, error) {
	before, err := s.current(ctx, r.ID, expect)
	if err != nil {
		return before, err
	}
	return s.apply(ctx, a, &before, r, "rule.update", func() (contextlens.StoredRule, error) {
		return s.store.UpdateRule(ctx, r, expect, s.change(a, message, "updated"))
	})
}

// SetStatus moves a rule through its lifecycle. expect 0 means "whatever
// the current revision is".
func (s *Service) SetStatus(ctx context.Context, a Actor, id string, status contextlens.Status, expect int, message string) (contextlens.StoredRule, error) {
	if !status.Valid() {
		return contextlens.StoredRule{}, contextlens.Errorf(contextlens.EINVALID, "status must be one of draft, shadow, live, archived")
	}
	before, err := s.current(ctx, id, expect)
	if err != nil {
		return before, err
	}
	r := before.Rule
	r.Status = status
	action := "rule.status"
	if status == contextlens.StatusArchived {
		action = "rule.archive"
	}
	return s.apply(ctx, a, &before, r, action, func() (contextlens.StoredRule, error) {
		return s.store.UpdateRule(ctx, r, before.Revision, s.change(a, message, "status "+string(status)))
	})
}

// Rollback makes revision n's content current again, as a new revision.
func (s *Service) Rollback(ctx context.Context, a Actor, id string, n, expect int, message string) (contextlens.StoredRule, error) {
	rev, err := s.store.Revision(ctx, id, n)
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	before, err := s.current(ctx, id, expect)
	if err != nil {
		return before, err
	}
	return s.apply(ctx, a, &before, rev.Rule, "rule.rollback", func() (contextlens.StoredRule, error) {
		return s.store.UpdateRule(ctx, rev.Rule, before.Revision, s.change(a, message, fmt.Sprintf("rollback to revision %d", n)))
	})
}

// current reads a rule and checks the caller's expected revision early, so
// a stale write fails before any expensive check (the store checks again
// atomically when it writes).
func (s *Service) current(ctx context.Context, id string, expect int) (contextlens.StoredRule, error) {
	cur, err := s.store.GetRule(ctx, id)
	if err != nil {
		return cur, err
	}
	if expect != 0 && cur.Revision != expect {
		return cur, contextlens.Errorf(contextlens.ESTALE, "rule %s is at revision %d, not %d: reload it and apply your change again", id, cur.Revision, expect)
	}
	return cur, nil
}

func (s *Service) change(a Actor, message, fallback string) contextlens.Change {
	if message == "" {
		message = fallback
	}
	return contextlens.Change{Author: a.Subject, Message: message}
}

// requiredRole is publisher for any write whose result is a live rule
// (what readers see), editor otherwise. Taking a rule down (to draft,
// shadow or archived) is an editor's right: a bad live rule can be pulled
// at once by whoever notices it, as issue 3's status table says.
func requiredRole(after contextlens.Rule) auth.Role {
	if after.Status == contextlens.StatusLive {
		return auth.RolePublisher
	}
	return auth.RoleEditor
}

// apply is the one write path: role, validation, the rule's own examples,
// the examples of every other matched rule, the write, the audit record,
// and the publication.
func (s *Service) apply(ctx context.Context, a Actor, before *contextlens.StoredRule, after contextlens.Rule, action string, write func() (contextlens.StoredRule, error)) (contextlens.StoredRule, error) {
	if need := requiredRole(after); !a.Role.AtLeast(need) {
		return contextlens.StoredRule{}, contextlens.Errorf(contextlens.EFORBIDDEN, "this change needs the %s role", need)
	}
	if err := CheckRule(after); err != nil {
		return contextlens.StoredRule{}, err
	}
	touchesLive := after.Status.Matched() || (before != nil && before.Rule.Status.Matched())
	if touchesLive {
		if err := s.checkWithOthers(ctx, after); err != nil {
			return contextlens.StoredRule{}, err
		}
	}
	saved, err := write()
	if err != nil {
		return saved, err
	}
	s.audit(ctx, a, action, after.ID, fmt.Sprintf("revision %d, status %s", saved.Revision, saved.Rule.Status))
	if touchesLive {
		if _, err := s.pub.Publish(ctx, a.Subject); err != nil {
			// The write is durable; replicas pick it up on their next check.
			s.logger.Error("publishing after a write failed", "rule", after.ID, "err", err)
		}
	}
	return saved, nil
}

// InvalidFields is the EINVALID error for failed field checks: the message
// names each field ("quote: contains a control character"), and the details
// list them as {"fields":[{"field":…,"message":…}]}, as a rule's do.
func InvalidFields(message string, errs []contextlens.FieldError) *contextlens.Error {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error()
	}
	return &contextlens.Error{Code: contextlens.EINVALID, Message: message + ": " + strings.Join(parts, "; "),
		Details: map[string]any{"fields": errs}}
}

// CheckRule validates a rule and runs its own examples; the error is an
// EINVALID *contextlens.Error listing every problem.
func CheckRule(r contextlens.Rule) error {
	if errs := r.Validate(); len(errs) > 0 {
		return &contextlens.Error{Code: contextlens.EINVALID, Message: "the rule is invalid", Details: map[string]any{"fields": errs}}
	}
	m, err := match.Compile([]contextlens.Rule{r}, match.CompileOptions{AllStatuses: true})
	if err != nil {
		var fields []contextlens.FieldError
		if ce, ok := err.(*match.CompileError); ok {
			for _, p := range ce.Problems {
				fields = append(fields, p.FieldError)
			}
		}
		return &contextlens.Error{Code: contextlens.EINVALID, Message: "the rule does not compile", Details: map[string]any{"fields": fields}}
	}
	if fails := match.CheckExamples(m, r); len(fails) > 0 {
		return &contextlens.Error{Code: contextlens.EINVALID, Message: fmt.Sprintf("%d of the rule's examples fail", len(fails)), Details: map[string]any{"examples": fails}}
	}
	return nil
}

// checkWithOthers builds the matched set as it would be after the change
// and refuses it if any matched rule's examples break.
func (s *Service) checkWithOthers(ctx context.Context, after contextlens.Rule) error {
	rules, err := s.store.MatchedRules(ctx)
	if err != nil {
		return err
	}
	rules = slices.DeleteFunc(rules, func(r contextlens.Rule) bool { return r.ID == after.ID })
	if after.Status.Matched() {
		rules = append(rules, after)
	}
	_, fails, err := Build(rules)
	if err != nil {
		return contextlens.Errorf(contextlens.EINVALID, "the rule set would not compile: %v", err)
	}
	if len(fails) > 0 {
		return &contextlens.Error{Code: contextlens.EINVALID,
			Message: fmt.Sprintf("with this change, %d examples of matched rules fail", len(fails)),
			Details: map[string]any{"examples": fails}}
	}
	return nil
}

func (s *Service) audit(ctx context.Context, a Actor, action, target, detail string) {
	e := contextlens.AuditEntry{Time: time.Now().UTC(), Actor: a.Subject, Role: string(a.Role), Action: action, Target: target, Remote: a.Remote, Detail: detail}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.logger.Error("audit record not written", "action", action, "target", target, "err", err)
	}
}

// Audit records an action that is not a rule write (such as an export).
func (s *Service) Audit(ctx context.Context, a Actor, action, target, detail string) {
	s.audit(ctx, a, action, target, detail)
}

// AuditLog queries the audit log.
func (s *Service) AuditLog(ctx context.Context, f contextlens.AuditFilter) ([]contextlens.AuditEntry, error) {
	return s.store.Audit(ctx, f)
}

// DryRun returns what r would annotate in text, whatever its status.
func (s *Service) DryRun(r contextlens.Rule, text string) (contextlens.Result, error) {
	if errs := r.Validate(); len(errs) > 0 {
		return contextlens.Result{}, &contextlens.Error{Code: contextlens.EINVALID, Message: "the rule is invalid", Details: map[string]any{"fields": errs}}
	}
	r.Status = contextlens.StatusLive // shown as readers would see it
	m, err := match.Compile([]contextlens.Rule{r}, match.CompileOptions{})
	if err != nil {
		return contextlens.Result{}, contextlens.Errorf(contextlens.EINVALID, "the rule does not compile: %v", err)
	}
	res, _ := m.Annotate(text, match.Options{IgnoreValidity: true})
	return res, nil
}

// RulesetInfo describes the published rule set.
type RulesetInfo struct {
	contextlens.Publication
	// Serving is the version this replica serves right now.
	Serving string `json:"serving"`
}

// Ruleset returns the latest publication and what this replica serves.
func (s *Service) Ruleset(ctx context.Context) (RulesetInfo, error) {
	pub, err := s.store.LatestPublication(ctx)
	if err != nil && contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
		return RulesetInfo{}, err
	}
	info := RulesetInfo{Publication: pub}
	if m := s.pub.engine.Current(); m != nil {
		info.Serving = m.Version()
	}
	return info, nil
}

// RuleStats are a rule's counters.
type RuleStats struct {
	Rule       string `json:"rule"`
	LiveHits   int64  `json:"live_hits"`
	ShadowHits int64  `json:"shadow_hits"`
	// Counted is false when there is no Redis to count hits in.
	Counted bool `json:"counted"`
	// Reports are readers' reports by reason (see contextlens.FeedbackReasons).
	Reports map[string]int64 `json:"reports"`
}

// Stats returns a rule's hit counts and readers' reports.
func (s *Service) Stats(ctx context.Context, id string) (RuleStats, error) {
	if _, err := s.store.GetRule(ctx, id); err != nil {
		return RuleStats{}, err
	}
	reports, err := s.store.FeedbackCounts(ctx, id)
	if err != nil {
		return RuleStats{}, err
	}
	st := RuleStats{Rule: id, Reports: reports}
	if s.hits == nil {
		return st, nil
	}
	live, shadow, err := s.hits.Hits(ctx, id)
	if err != nil {
		return st, contextlens.Errorf(contextlens.EUNAVAILABLE, "hit counts are unavailable right now")
	}
	st.LiveHits, st.ShadowHits, st.Counted = live, shadow, true
	return st, nil
}

// Export returns every rule, archived ones included, as rule files hold them.
func (s *Service) Export(ctx context.Context) ([]contextlens.Rule, error) {
	stored, err := s.store.ListRules(ctx, contextlens.RuleFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]contextlens.Rule, 0, len(stored))
	for _, sr := range stored {
		out = append(out, sr.Rule)
	}
	return out, nil
}

// Report stores a reader's report on an annotation of a rule the engine
// serves. Errors: EINVALID for an invalid report (contextlens.Feedback.Validate)
// or an unknown rule, EUNAVAILABLE
// when the database is down.
func (s *Service) Report(ctx context.Context, f contextlens.Feedback) error {
	if errs := f.Validate(); len(errs) > 0 {
		return InvalidFields("the report is invalid", errs)
	}
	if m := s.pub.engine.Current(); m == nil || !m.Has(f.Rule) {
		return contextlens.Errorf(contextlens.EINVALID, "rule is not one this service annotates with")
	}
	f.Time = time.Now().UTC()
	return s.store.AddFeedback(ctx, f)
}
