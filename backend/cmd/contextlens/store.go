package main

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/sqlstore"
)

func sqliteFile(dataDir string) string { return sqlstore.SQLitePath(dataDir) }

// lateStore is a RuleStore that answers EUNAVAILABLE until the database
// has been opened. The server starts, and readers get annotations, even
// when the database is down at start-up; the admin API answers 503 until
// the store connects.
type lateStore struct {
	s atomic.Pointer[sqlstore.Store]
}

var _ contextlens.RuleStore = (*lateStore)(nil)

var errStoreDown = contextlens.Errorf(contextlens.EUNAVAILABLE, "the rule database is not reachable; try again shortly")

func (l *lateStore) get() (*sqlstore.Store, error) {
	if s := l.s.Load(); s != nil {
		return s, nil
	}
	return nil, errStoreDown
}

// connect opens the store, retrying every few seconds until ctx ends;
// ready runs once it is open (seeding, first publication).
func (l *lateStore) connect(ctx context.Context, dsn string, logger *slog.Logger, ready func(context.Context)) {
	for attempt := 0; ; attempt++ {
		openCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := sqlstore.Open(openCtx, dsn)
		cancel()
		if err == nil {
			l.s.Store(s)
			logger.Info("rule store open", "driver", s.Driver())
			ready(ctx)
			return
		}
		if attempt == 0 {
			logger.Error("rule store unavailable; annotating from the last known rules, admin API answers 503", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(3 * time.Second):
		}
	}
}

func (l *lateStore) ListRules(ctx context.Context, f contextlens.RuleFilter) ([]contextlens.StoredRule, error) {
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.ListRules(ctx, f)
}

func (l *lateStore) GetRule(ctx context.Context, id string) (contextlens.StoredRule, error) {
	s, err := l.get()
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	return s.GetRule(ctx, id)
}

func (l *lateStore) CreateRule(ctx context.Context, r contextlens.Rule, c contextlens.Change) (contextlens.StoredRule, error) {
	s, err := l.get()
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	return s.CreateRule(ctx, r, c)
}

func (l *lateStore) UpdateRule(ctx context.Context, r contextlens.Rule, expect int, c contextlens.Change) (contextlens.StoredRule, error) {
	s, err := l.get()
	if err != nil {
		return contextlens.StoredRule{}, err
	}
	return s.UpdateRule(ctx, r, expect, c)
}

func (l *lateStore) Revisions(ctx context.Context, id string) ([]contextlens.Revision, error) {
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.Revisions(ctx, id)
}

func (l *lateStore) Revision(ctx context.Context, id string, n int) (contextlens.Revision, error) {
	s, err := l.get()
	if err != nil {
		return contextlens.Revision{}, err
	}
	return s.Revision(ctx, id, n)
}

func (l *lateStore) MatchedRules(ctx context.Context) ([]contextlens.Rule, error) {
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.MatchedRules(ctx)
}

func (l *lateStore) Seed(ctx context.Context, rules []contextlens.Rule, c contextlens.Change) (int, error) {
	s, err := l.get()
	if err != nil {
		return 0, err
	}
	return s.Seed(ctx, rules, c)
}

func (l *lateStore) AppendAudit(ctx context.Context, e contextlens.AuditEntry) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.AppendAudit(ctx, e)
}

func (l *lateStore) Audit(ctx context.Context, f contextlens.AuditFilter) ([]contextlens.AuditEntry, error) {
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.Audit(ctx, f)
}

func (l *lateStore) RecordPublication(ctx context.Context, p contextlens.Publication) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.RecordPublication(ctx, p)
}

func (l *lateStore) LatestPublication(ctx context.Context) (contextlens.Publication, error) {
	s, err := l.get()
	if err != nil {
		return contextlens.Publication{}, err
	}
	return s.LatestPublication(ctx)
}

func (l *lateStore) Ping(ctx context.Context) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.Ping(ctx)
}

func (l *lateStore) Close() error {
	if s := l.s.Load(); s != nil {
		return s.Close()
	}
	return nil
}

func (l *lateStore) AddFeedback(ctx context.Context, f contextlens.Feedback) error {
	s, err := l.get()
	if err != nil {
		return err
	}
	return s.AddFeedback(ctx, f)
}

func (l *lateStore) FeedbackCounts(ctx context.Context, ruleID string) (map[string]int64, error) {
	s, err := l.get()
	if err != nil {
		return nil, err
	}
	return s.FeedbackCounts(ctx, ruleID)
}
