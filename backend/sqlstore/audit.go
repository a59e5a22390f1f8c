package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// Audit page sizes: a zero Limit gets the default, a larger one the maximum,
// so one request can never pull the whole log.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// AppendAudit records one admin action. A zero Time is set to now; the
// store assigns the ID.
func (s *Store) AppendAudit(ctx context.Context, e contextlens.AuditEntry) error {
	if e.Action == "" {
		return contextlens.Errorf(contextlens.EINVALID, "an audit entry needs an action")
	}
	if e.Time.IsZero() {
		e.Time = now()
	}
	return s.inTx(ctx, "append audit", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log
			(time, actor, role, action, target, remote, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			s.timeArg(e.Time), e.Actor, e.Role, e.Action, e.Target, e.Remote, e.Detail)
		return err
	})
}

// Audit returns the entries f selects, newest first: at most f.Limit of
// them, 100 when Limit is 0 and never more than 1000.
func (s *Store) Audit(ctx context.Context, f contextlens.AuditFilter) ([]contextlens.AuditEntry, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Actor != "" {
		where = append(where, "actor = "+arg(f.Actor))
	}
	if f.Action != "" {
		where = append(where, "action = "+arg(f.Action))
	}
	if f.Target != "" {
		where = append(where, "target = "+arg(f.Target))
	}
	if !f.Since.IsZero() {
		where = append(where, "time >= "+arg(s.timeArg(f.Since)))
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = defaultAuditLimit
	case limit > maxAuditLimit:
		limit = maxAuditLimit
	}
	query := "SELECT id, time, actor, role, action, target, remote, detail FROM audit_log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	// id, not time: entries written in the same microsecond keep their order.
	query += " ORDER BY id DESC LIMIT " + arg(limit)

	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.wrap(err, "audit")
	}
	defer rows.Close()
	out := []contextlens.AuditEntry{}
	for rows.Next() {
		var e contextlens.AuditEntry
		if err := rows.Scan(&e.ID, scanTime{&e.Time}, &e.Actor, &e.Role, &e.Action, &e.Target, &e.Remote, &e.Detail); err != nil {
			return nil, s.wrap(err, "audit")
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap(err, "audit")
	}
	return out, nil
}
