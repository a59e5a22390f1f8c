package sqlstore

import (
	"context"
	"database/sql"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// AddFeedback stores a reader's report. A zero Time is set to now.
// Errors: EINVALID for a report contextlens.Feedback.Validate refuses (no
// rule, an unknown reason, a control character...), before any SQL runs.
func (s *Store) AddFeedback(ctx context.Context, f contextlens.Feedback) error {
	if errs := f.Validate(); len(errs) > 0 {
		return contextlens.Errorf(contextlens.EINVALID, "feedback is invalid: %v", errs[0])
	}
	if f.Time.IsZero() {
		f.Time = now()
	}
	return s.inTx(ctx, "add feedback", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO feedback (rule_id, ruleset, reason, quote, time)
			VALUES ($1, $2, $3, $4, $5)`, f.Rule, f.Ruleset, f.Reason, f.Quote, s.timeArg(f.Time))
		return err
	})
}

// FeedbackCounts returns a rule's reports by reason (reasons without
// reports are absent).
func (s *Store) FeedbackCounts(ctx context.Context, ruleID string) (map[string]int64, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT reason, COUNT(*) FROM feedback WHERE rule_id = $1 GROUP BY reason`, ruleID)
	if err != nil {
		return nil, s.wrap(err, "feedback counts")
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var reason string
		var n int64
		if err := rows.Scan(&reason, &n); err != nil {
			return nil, s.wrap(err, "feedback counts")
		}
		counts[reason] = n
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "feedback counts")
	}
	return counts, nil
}
