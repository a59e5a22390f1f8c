// Package sqlstore is the durable source of truth for rules: it implements
// contextlens.RuleStore on SQLite (embedded, the default) and on PostgreSQL
// (production), with one code path for both.
//
// Both databases go through database/sql, so every method is written once.
// Queries use $1-style placeholders, which both drivers accept (modernc's
// SQLite binds $N by ordinal). The dialects differ only in column types
// (migrate.go) and in how writers are serialised and times stored (here).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/contextlens/contextlens/backend/contextlens"
)

var _ contextlens.RuleStore = (*Store)(nil)

// dialect names the SQL database behind a Store.
type dialect string

const (
	dialectSQLite   dialect = "sqlite"
	dialectPostgres dialect = "postgres"
)

// defaultConnectTimeout bounds a PostgreSQL connection attempt when neither
// the caller's context nor the URL (connect_timeout) does, so a request never
// hangs on a host that drops packets.
const defaultConnectTimeout = 5 * time.Second

// sqliteBusyTimeout is how long SQLite waits for a lock held by another
// process (a CLI import running beside the server) before giving up. Writers
// inside this process never wait on it: they queue on the single writer
// connection instead.
const sqliteBusyTimeout = 5 * time.Second

// Store implements contextlens.RuleStore on SQLite or PostgreSQL.
// It is safe for concurrent use.
type Store struct {
	dialect dialect
	// write runs every transaction that writes. On SQLite it holds exactly
	// one connection whose transactions BEGIN IMMEDIATE, so writers of this
	// process queue in Go (respecting their contexts) instead of racing for
	// the file lock and failing with SQLITE_BUSY. On PostgreSQL it is the
	// same pool as read: row locks and the conditional UPDATE serialise
	// writers there.
	write *sql.DB
	// read serves queries outside write transactions. On SQLite it is a
	// separate pool of query-only connections, which WAL lets read while
	// the writer writes.
	read   *sql.DB
	closed atomic.Bool
}

// Option configures Open.
type Option func(*options)

type options struct {
	searchPath string
	maxConns   int
}

// WithSearchPath sets the PostgreSQL search_path, so the store's tables live
// in that schema (tests use one random schema each). The first schema listed
// is created if it does not exist. The same can be given in the URL as the
// query parameter search_path=NAME; the option wins. SQLite ignores it.
func WithSearchPath(schema string) Option {
	return func(o *options) { o.searchPath = schema }
}

// WithMaxConns caps the open PostgreSQL connections (default 10), or the
// SQLite reader connections (default 4). SQLite always has one writer.
func WithMaxConns(n int) Option {
	return func(o *options) { o.maxConns = n }
}

// Open connects to the database named by dsn and applies pending migrations.
//
// A dsn starting with postgres:// or postgresql:// is a PostgreSQL URL (any
// libpq parameter pgx understands, plus search_path); anything else is the
// path of a SQLite file, created if missing, or ":memory:" for a private
// in-memory database. Open returns EUNAVAILABLE when the database cannot be
// reached and EINVALID for a malformed dsn.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	s, err := connect(dsn, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// connect builds a Store without touching the database: database/sql dials
// lazily, which is what lets a Store whose database is down answer
// EUNAVAILABLE per call rather than fail at construction.
func connect(dsn string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return connectPostgres(dsn, o)
	}
	return connectSQLite(dsn, o)
}

func connectPostgres(dsn string, o options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the password; never pass it on.
		return nil, contextlens.Errorf(contextlens.EINVALID, "invalid PostgreSQL URL")
	}
	if o.searchPath != "" {
		cfg.RuntimeParams["search_path"] = o.searchPath
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	n := o.maxConns
	if n <= 0 {
		n = 10
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{dialect: dialectPostgres, write: db, read: db}, nil
}

func connectSQLite(path string, o options) (*Store, error) {
	if path == "" {
		return nil, contextlens.Errorf(contextlens.EINVALID, "empty database path")
	}
	if strings.ContainsAny(path, "?#") {
		// The driver reads everything after '?' as its own parameters.
		return nil, contextlens.Errorf(contextlens.EINVALID, "SQLite path %q must not contain '?' or '#'", path)
	}
	params := url.Values{}
	params.Set("_busy_timeout", strconv.FormatInt(sqliteBusyTimeout.Milliseconds(), 10))
	params.Set("_foreign_keys", "1")
	params.Set("_synchronous", "NORMAL")
	params.Set("_journal_mode", "WAL")
	params.Set("_txlock", "immediate")
	writer, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		return nil, contextlens.Errorf(contextlens.EINVALID, "open SQLite %q: %v", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	if path == ":memory:" {
		// Each connection to :memory: is its own database: one connection
		// must serve everything.
		return &Store{dialect: dialectSQLite, write: writer, read: writer}, nil
	}
	params.Set("_query_only", "1")
	params.Del("_txlock")
	// WAL is a property of the file, set by the writer; a query-only
	// connection may not change it.
	params.Del("_journal_mode")
	reader, err := sql.Open("sqlite", path+"?"+params.Encode())
	if err != nil {
		writer.Close()
		return nil, contextlens.Errorf(contextlens.EINVALID, "open SQLite %q: %v", path, err)
	}
	n := o.maxConns
	if n <= 0 {
		n = 4
	}
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	return &Store{dialect: dialectSQLite, write: writer, read: reader}, nil
}

// SQLitePath returns the default SQLite file inside dataDir,
// <dataDir>/contextlens.db, creating dataDir (mode 0700: the file holds
// unpublished rules and the audit log) if needed.
//
// A directory that cannot be created is not reported here: Open on the
// returned path fails with EUNAVAILABLE naming the path, which is where the
// caller handles errors anyway.
func SQLitePath(dataDir string) string {
	_ = os.MkdirAll(dataDir, 0o700)
	return filepath.Join(dataDir, "contextlens.db")
}

// Driver reports which database the store uses: "sqlite" or "postgres".
func (s *Store) Driver() string { return string(s.dialect) }

// Ping checks that the database answers; EUNAVAILABLE when it does not.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if err := s.write.PingContext(ctx); err != nil {
		return s.wrap(err, "ping")
	}
	return nil
}

// Close closes the store. Calls after Close return EUNAVAILABLE.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

func (s *Store) checkOpen() error {
	if s.closed.Load() {
		return contextlens.Errorf(contextlens.EUNAVAILABLE, "rule store is closed")
	}
	return nil
}

// inTx runs fn in a write transaction and commits it if fn returns nil.
// Any error rolls everything back, so a write is all or nothing.
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err, op)
	}
	defer tx.Rollback() // a no-op after Commit
	if err := fn(tx); err != nil {
		return s.wrap(err, op)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(err, op)
	}
	return nil
}

// timeArg converts t for a time column: PostgreSQL has TIMESTAMPTZ; SQLite
// stores fixed-width UTC text, which sorts and compares like the time.
func (s *Store) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.dialect == dialectSQLite {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// sqliteTimeLayout is RFC 3339 with exactly six fractional digits, so that
// text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// now is the time recorded for writes, truncated to what both databases keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// scanTime reads a time column of either dialect into t.
type scanTime struct{ t *time.Time }

func (st scanTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*st.t = v.UTC()
	case string:
		return st.parse(v)
	case []byte:
		return st.parse(string(v))
	case nil:
		*st.t = time.Time{}
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	return nil
}

func (st scanTime) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*st.t = t.UTC()
	return nil
}
