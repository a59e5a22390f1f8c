package contextlens

import (
	"context"
	"time"
)

// Revision is one saved version of a rule: every write creates one.
type Revision struct {
	RuleID  string    `json:"rule_id"`
	Number  int       `json:"revision"` // 1, 2, 3... per rule
	Author  string    `json:"author"`   // the token's subject
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
	Rule    Rule      `json:"rule"` // full content as of this revision
}

// StoredRule is a rule with its current revision number, which is its ETag.
type StoredRule struct {
	Rule     Rule      `json:"rule"`
	Revision int       `json:"revision"`
	Updated  time.Time `json:"updated"`
	Author   string    `json:"author"`
}

// RuleFilter selects rules in List; empty fields match everything.
type RuleFilter struct {
	Status    Status
	Narrative string
	Lang      string
	Query     string // case-insensitive substring of id, title, summary or phrases
}

// AuditEntry records one admin action.
type AuditEntry struct {
	ID     int64     `json:"id"`
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Role   string    `json:"role"`
	Action string    `json:"action"` // e.g. "rule.create", "rule.status"
	Target string    `json:"target"` // e.g. the rule id
	Remote string    `json:"remote"` // client address
	Detail string    `json:"detail,omitempty"`
}

// AuditFilter selects audit entries; zero fields match everything.
type AuditFilter struct {
	Actor  string
	Action string
	Target string
	Since  time.Time
	Limit  int // 0 means a default page size
}

// Publication describes one published live rule set.
type Publication struct {
	Version   string    `json:"version"`
	Rules     int       `json:"rules"`
	Published time.Time `json:"published"`
	Publisher string    `json:"publisher"`
}

// Change describes a write for the revision log.
type Change struct {
	Author  string
	Message string
}

// RuleStore is the durable source of truth for rules.
//
// Errors: ENOTFOUND for an unknown rule or revision, ECONFLICT when Create
// finds the id taken, ESTALE when the expected revision is not the current
// one (nothing is written), EINVALID when the input cannot be stored (a rule
// without an id or with an unknown status, an audit entry without an action,
// a publication without a version), EUNAVAILABLE when the database cannot be
// reached.
// Every successful write appends exactly one revision in the same transaction.
type RuleStore interface {
	ListRules(ctx context.Context, f RuleFilter) ([]StoredRule, error)
	GetRule(ctx context.Context, id string) (StoredRule, error)
	// CreateRule stores a new rule as revision 1.
	CreateRule(ctx context.Context, r Rule, c Change) (StoredRule, error)
	// UpdateRule replaces the rule if its current revision is expect.
	UpdateRule(ctx context.Context, r Rule, expect int, c Change) (StoredRule, error)
	Revisions(ctx context.Context, id string) ([]Revision, error)
	Revision(ctx context.Context, id string, n int) (Revision, error)
	// MatchedRules returns every rule whose status takes part in matching
	// (shadow and live), the input of a published rule set.
	MatchedRules(ctx context.Context) ([]Rule, error)
	// Seed inserts the given rules that do not exist yet (idempotent) and
	// returns how many it inserted.
	Seed(ctx context.Context, rules []Rule, c Change) (int, error)

	AppendAudit(ctx context.Context, e AuditEntry) error
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	RecordPublication(ctx context.Context, p Publication) error
	LatestPublication(ctx context.Context) (Publication, error)

	// AddFeedback stores a reader's report.
	AddFeedback(ctx context.Context, f Feedback) error
	// FeedbackCounts returns a rule's reports by reason.
	FeedbackCounts(ctx context.Context, ruleID string) (map[string]int64, error)

	Ping(ctx context.Context) error
	Close() error
}
