package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// ruleColumns are read by scanStoredRule, in its order.
const ruleColumns = "content, revision, updated, author"

// ListRules returns the rules f selects, ordered by id.
func (s *Store) ListRules(ctx context.Context, f contextlens.RuleFilter) ([]contextlens.StoredRule, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	var (
		where []string
		args  []any
	)
	// arg adds a parameter and returns its placeholder.
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(string(f.Status)))
	}
	if f.Narrative != "" {
		where = append(where, "narrative = "+arg(f.Narrative))
	}
	if f.Lang != "" {
		// languages is a JSON array, so the quoted code finds exactly that
		// element: "en" does not match "eng".
		where = append(where, `languages LIKE `+arg("%"+likeEscape(jsonString(f.Lang))+"%")+` ESCAPE '\'`)
	}
	if f.Query != "" {
		where = append(where, `search LIKE `+arg("%"+likeEscape(strings.ToLower(f.Query))+"%")+` ESCAPE '\'`)
	}
	query := "SELECT " + ruleColumns + " FROM rules"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id"

	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.wrap(err, "list rules")
	}
	defer rows.Close()
	out := []contextlens.StoredRule{} // [] rather than null in JSON
	for rows.Next() {
		sr, err := scanStoredRule(rows)
		if err != nil {
			return nil, s.wrap(err, "list rules")
		}
		out = append(out, sr)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "list rules")
	}
	return out, nil
}

// GetRule returns the current version of a rule; ENOTFOUND if unknown.
func (s *Store) GetRule(ctx context.Context, id string) (contextlens.StoredRule, error) {
	if err := s.checkOpen(); err != nil {
		return contextlens.StoredRule{}, err
	}
	row := s.read.QueryRowContext(ctx, "SELECT "+ruleColumns+" FROM rules WHERE id = $1", id)
	sr, err := scanStoredRule(row)
	if errors.Is(err, sql.ErrNoRows) {
		return contextlens.StoredRule{}, notFound("no rule %q", id)
	}
	if err != nil {
		return contextlens.StoredRule{}, s.wrap(err, "get rule")
	}
	return sr, nil
}

// CreateRule stores r as revision 1; ECONFLICT if its id is taken.
func (s *Store) CreateRule(ctx context.Context, r contextlens.Rule, c contextlens.Change) (contextlens.StoredRule, error) {
	if err := checkChange(c); err != nil {
		return contextlens.StoredRule{}, err
	}
	rec, err := newRecord(r)
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	t := now()
	err = s.inTx(ctx, "create rule", func(tx *sql.Tx) error {
		inserted, err := s.insertRule(ctx, tx, rec, t, c)
		if err != nil {
			return err
		}
		if !inserted {
			return contextlens.Errorf(contextlens.ECONFLICT, "rule %q exists already", r.ID)
		}
		return nil
	})
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	return contextlens.StoredRule{Rule: rec.rule, Revision: 1, Updated: t, Author: c.Author}, nil
}

// UpdateRule replaces rule r.ID if its current revision is expect, and
// records the new revision expect+1. ESTALE, writing nothing, if another
// write came first; ENOTFOUND if there is no such rule.
func (s *Store) UpdateRule(ctx context.Context, r contextlens.Rule, expect int, c contextlens.Change) (contextlens.StoredRule, error) {
	if err := checkChange(c); err != nil {
		return contextlens.StoredRule{}, err
	}
	rec, err := newRecord(r)
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	t := now()
	err = s.inTx(ctx, "update rule", func(tx *sql.Tx) error {
		// The revision check and the write are one statement, so two
		// editors holding the same revision cannot both succeed: on
		// PostgreSQL the second waits for the first's row lock and then
		// finds the revision moved; on SQLite writers run one at a time.
		res, err := tx.ExecContext(ctx, `UPDATE rules
			SET content = $2, status = $3, narrative = $4, languages = $5, search = $6,
			    revision = revision + 1, updated = $7, author = $8
			WHERE id = $1 AND revision = $9`,
			r.ID, rec.content, string(r.Status), r.Narrative, rec.languages, rec.search,
			s.timeArg(t), c.Author, expect)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return s.whyNotUpdated(ctx, tx, r.ID, expect)
		}
		return s.insertRevision(ctx, tx, rec, expect+1, t, c)
	})
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	return contextlens.StoredRule{Rule: rec.rule, Revision: expect + 1, Updated: t, Author: c.Author}, nil
}

// whyNotUpdated explains an UPDATE that matched no row.
func (s *Store) whyNotUpdated(ctx context.Context, tx *sql.Tx, id string, expect int) error {
	var current int
	err := tx.QueryRowContext(ctx, "SELECT revision FROM rules WHERE id = $1", id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("no rule %q", id)
	}
	if err != nil {
		return err
	}
	return &contextlens.Error{
		Code:    contextlens.ESTALE,
		Message: fmt.Sprintf("rule %q is at revision %d, not %d: reload it and apply your change again", id, current, expect),
		Details: map[string]any{"revision": current},
	}
}

// Revisions returns every revision of a rule, oldest first.
func (s *Store) Revisions(ctx context.Context, id string) ([]contextlens.Revision, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, `SELECT revision, author, time, message, content
		FROM rule_revisions WHERE rule_id = $1 ORDER BY revision`, id)
	if err != nil {
		return nil, s.wrap(err, "list revisions")
	}
	defer rows.Close()
	var out []contextlens.Revision
	for rows.Next() {
		rev, err := scanRevision(rows, id)
		if err != nil {
			return nil, s.wrap(err, "list revisions")
		}
		out = append(out, rev)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "list revisions")
	}
	if len(out) == 0 {
		// Creation writes revision 1, so no revisions means no rule.
		return nil, notFound("no rule %q", id)
	}
	return out, nil
}

// Revision returns revision n of a rule; ENOTFOUND if either is unknown.
func (s *Store) Revision(ctx context.Context, id string, n int) (contextlens.Revision, error) {
	if err := s.checkOpen(); err != nil {
		return contextlens.Revision{}, err
	}
	row := s.read.QueryRowContext(ctx, `SELECT revision, author, time, message, content
		FROM rule_revisions WHERE rule_id = $1 AND revision = $2`, id, n)
	rev, err := scanRevision(row, id)
	if errors.Is(err, sql.ErrNoRows) {
		return contextlens.Revision{}, notFound("no revision %d of rule %q", n, id)
	}
	if err != nil {
		return contextlens.Revision{}, s.wrap(err, "get revision")
	}
	return rev, nil
}

// MatchedRules returns the rules whose status takes part in matching,
// ordered by id.
func (s *Store) MatchedRules(ctx context.Context) ([]contextlens.Rule, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	// Which statuses match is the domain's decision (Status.Matched).
	var (
		marks []string
		args  []any
	)
	for _, st := range contextlens.Statuses {
		if st.Matched() {
			args = append(args, string(st))
			marks = append(marks, fmt.Sprintf("$%d", len(args)))
		}
	}
	rows, err := s.read.QueryContext(ctx,
		"SELECT content FROM rules WHERE status IN ("+strings.Join(marks, ", ")+") ORDER BY id", args...)
	if err != nil {
		return nil, s.wrap(err, "matched rules")
	}
	defer rows.Close()
	out := []contextlens.Rule{}
	for rows.Next() {
		var content []byte
		var r contextlens.Rule
		if err := rows.Scan(&content); err != nil {
			return nil, s.wrap(err, "matched rules")
		}
		if err := json.Unmarshal(content, &r); err != nil {
			return nil, s.wrap(err, "matched rules")
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "matched rules")
	}
	return out, nil
}

// Seed inserts, in one transaction, the rules whose ids are not stored yet,
// each as revision 1 recorded with c, and returns how many it inserted.
// Existing rules are left alone, so seeding again is harmless.
func (s *Store) Seed(ctx context.Context, rules []contextlens.Rule, c contextlens.Change) (int, error) {
	if err := checkChange(c); err != nil {
		return 0, err
	}
	recs := make([]record, 0, len(rules))
	for _, r := range rules {
		rec, err := newRecord(r)
		if err != nil {
			return 0, err
		}
		recs = append(recs, rec)
	}
	t := now()
	inserted := 0
	err := s.inTx(ctx, "seed rules", func(tx *sql.Tx) error {
		for _, rec := range recs {
			ok, err := s.insertRule(ctx, tx, rec, t, c)
			if err != nil {
				return err
			}
			if ok {
				inserted++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

// insertRule inserts rec as revision 1 with its revision row, unless its id
// is taken; it reports whether it inserted.
func (s *Store) insertRule(ctx context.Context, tx *sql.Tx, rec record, t time.Time, c contextlens.Change) (bool, error) {
	// ON CONFLICT rather than catching a unique violation: on PostgreSQL a
	// failed statement would abort the whole (Seed) transaction.
	res, err := tx.ExecContext(ctx, `INSERT INTO rules
		(id, content, status, narrative, languages, search, revision, updated, author)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)
		ON CONFLICT (id) DO NOTHING`,
		rec.rule.ID, rec.content, string(rec.rule.Status), rec.rule.Narrative, rec.languages, rec.search,
		s.timeArg(t), c.Author)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, s.insertRevision(ctx, tx, rec, 1, t, c)
}

func (s *Store) insertRevision(ctx context.Context, tx *sql.Tx, rec record, n int, t time.Time, c contextlens.Change) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO rule_revisions
		(rule_id, revision, author, time, message, content) VALUES ($1, $2, $3, $4, $5, $6)`,
		rec.rule.ID, n, c.Author, s.timeArg(t), c.Message, rec.content)
	return err
}

// checkChange refuses a revision author or message with control characters
// (contextlens.HasControlChar) before any SQL runs: PostgreSQL cannot store
// a NUL, and SQLite would keep it. Callers check first; this is the floor.
func checkChange(c contextlens.Change) error {
	for _, v := range []string{c.Author, c.Message} {
		if !utf8.ValidString(v) || contextlens.HasControlChar(v) {
			return contextlens.Errorf(contextlens.EINVALID, "a revision's author and message must be UTF-8 without control characters")
		}
	}
	return nil
}

// record is a rule ready to store: its JSON content and the derived columns.
type record struct {
	rule      contextlens.Rule // as read back from content, so callers see what Get will return
	content   string
	languages string
	search    string
}

func newRecord(r contextlens.Rule) (record, error) {
	if strings.TrimSpace(r.ID) == "" {
		return record{}, contextlens.Errorf(contextlens.EINVALID, "a rule needs an id")
	}
	if !r.Status.Valid() {
		return record{}, contextlens.Errorf(contextlens.EINVALID, "rule %q: unknown status %q", r.ID, r.Status)
	}
	content, err := json.Marshal(r)
	if err != nil {
		return record{}, contextlens.Errorf(contextlens.EINVALID, "rule %q: %v", r.ID, err)
	}
	var back contextlens.Rule
	if err := json.Unmarshal(content, &back); err != nil {
		return record{}, fmt.Errorf("rule %q does not survive JSON: %w", r.ID, err)
	}
	langs := r.Languages
	if langs == nil {
		langs = []string{}
	}
	langJSON, _ := json.Marshal(langs) // strings always marshal
	// "\n" keeps a query from matching across two fields.
	search := strings.Join(append([]string{r.ID, r.Title, r.Summary}, r.Match.Phrases...), "\n")
	return record{
		rule:      back,
		content:   string(content),
		languages: string(langJSON),
		search:    strings.ToLower(search),
	}, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanStoredRule(row scanner) (contextlens.StoredRule, error) {
	var (
		sr      contextlens.StoredRule
		content []byte
	)
	if err := row.Scan(&content, &sr.Revision, scanTime{&sr.Updated}, &sr.Author); err != nil {
		return sr, err
	}
	if err := json.Unmarshal(content, &sr.Rule); err != nil {
		return sr, fmt.Errorf("rule content: %w", err)
	}
	return sr, nil
}

func scanRevision(row scanner, id string) (contextlens.Revision, error) {
	rev := contextlens.Revision{RuleID: id}
	var content []byte
	if err := row.Scan(&rev.Number, &rev.Author, scanTime{&rev.Time}, &rev.Message, &content); err != nil {
		return rev, err
	}
	if err := json.Unmarshal(content, &rev.Rule); err != nil {
		return rev, fmt.Errorf("revision content: %w", err)
	}
	return rev, nil
}

// likeEscape escapes LIKE's wildcards so user text matches literally
// (with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}
