package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// RecordPublication records a published rule set. A zero Published is set
// to now.
func (s *Store) RecordPublication(ctx context.Context, p contextlens.Publication) error {
	if p.Version == "" {
		return contextlens.Errorf(contextlens.EINVALID, "a publication needs a version")
	}
	if p.Published.IsZero() {
		p.Published = now()
	}
	return s.inTx(ctx, "record publication", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO publications
			(version, rule_count, published, publisher) VALUES ($1, $2, $3, $4)`,
			p.Version, p.Rules, s.timeArg(p.Published), p.Publisher)
		return err
	})
}

// LatestPublication returns the most recently recorded publication;
// ENOTFOUND if nothing was ever published.
func (s *Store) LatestPublication(ctx context.Context) (contextlens.Publication, error) {
	if err := s.checkOpen(); err != nil {
		return contextlens.Publication{}, err
	}
	var p contextlens.Publication
	// Recording order, not the Published time a caller may have set.
	err := s.read.QueryRowContext(ctx, `SELECT version, rule_count, published, publisher
		FROM publications ORDER BY id DESC LIMIT 1`).
		Scan(&p.Version, &p.Rules, scanTime{&p.Published}, &p.Publisher)
	if errors.Is(err, sql.ErrNoRows) {
		return contextlens.Publication{}, notFound("no rule set has been published yet")
	}
	if err != nil {
		return contextlens.Publication{}, s.wrap(err, "latest publication")
	}
	return p, nil
}
