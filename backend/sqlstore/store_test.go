package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/internal/testenv"
)

// defaultPGURL is the PostgreSQL the tests use unless CONTEXTLENS_TEST_PG_URL
// names another. Each test works in its own schema of it.
const defaultPGURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func pgURL() string {
	if u := os.Getenv("CONTEXTLENS_TEST_PG_URL"); u != "" {
		return u
	}
	return defaultPGURL
}

// pgURLRedacted is pgURL fit for a log: no password.
func pgURLRedacted() string {
	u, err := url.Parse(pgURL())
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// requirePG reports whether a missing PostgreSQL fails the tests: in CI it
// must, or a broken service would pass as a skipped suite.
func requirePG() bool {
	return testenv.Required() || os.Getenv("CONTEXTLENS_REQUIRE_PG") == "1"
}

var (
	pgOnce    sync.Once
	pgAdminDB *sql.DB
	pgErr     error
)

// pgAdmin returns a connection for creating and dropping test schemas, or
// skips (fails, in CI) the test when PostgreSQL is not there.
func pgAdmin(t *testing.T) *sql.DB {
	t.Helper()
	pgOnce.Do(func() {
		s, err := connect(pgURL())
		if err != nil {
			pgErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			s.Close()
			pgErr = err
			return
		}
		pgAdminDB = s.write
	})
	if pgErr != nil {
		if requirePG() {
			t.Fatalf("PostgreSQL at %s is required (CI=true or CONTEXTLENS_REQUIRE_PG=1) but unreachable: %v", pgURLRedacted(), pgErr)
		}
		t.Skipf("PostgreSQL at %s unreachable, skipping (set CONTEXTLENS_REQUIRE_PG=1 to fail instead): %v", pgURLRedacted(), pgErr)
	}
	return pgAdminDB
}

// pgSchema returns a fresh random schema name, dropped (with everything in
// it, and nothing else) when the test ends. create says whether to create it
// now or leave that to Open.
func pgSchema(t *testing.T, create bool) string {
	t.Helper()
	admin := pgAdmin(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cltest_" + hex.EncodeToString(b)
	quoted := pgx.Identifier{schema}.Sanitize()
	if create {
		if _, err := admin.Exec("CREATE SCHEMA " + quoted); err != nil {
			t.Fatalf("create schema: %v", err)
		}
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA IF EXISTS " + quoted + " CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

func openPostgres(t *testing.T) *Store {
	t.Helper()
	schema := pgSchema(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, pgURL(), WithSearchPath(schema))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openSQLite(t *testing.T) *Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Open(ctx, SQLitePath(t.TempDir()))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLite(t *testing.T) { runContract(t, openSQLite) }
func TestPostgres(t *testing.T) {
	pgAdmin(t) // skip (or fail) once, not per subtest
	runContract(t, openPostgres)
}

func TestSQLitePath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	got := SQLitePath(dir)
	if want := filepath.Join(dir, "contextlens.db"); got != want {
		t.Errorf("SQLitePath = %q, want %q", got, want)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data dir mode = %o, want 700", perm)
	}
}

// TestMigrationsIdempotent opens the same database twice: the second Open
// applies nothing and the data survives.
func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, open func() *Store) {
		s1 := open()
		if _, err := s1.CreateRule(ctx, testRule("kept"), testChange); err != nil {
			t.Fatal(err)
		}
		s1.Close()
		s2 := open()
		defer s2.Close()
		if _, err := s2.GetRule(ctx, "kept"); err != nil {
			t.Fatalf("after reopening: %v", err)
		}
		all, _ := migrations(s2.dialect)
		var n int
		if err := s2.read.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(all) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(all))
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := SQLitePath(t.TempDir())
		check(t, func() *Store {
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("postgres", func(t *testing.T) {
		schema := pgSchema(t, false) // Open creates it
		check(t, func() *Store {
			s, err := Open(ctx, pgURL()+"&search_path="+schema) // the URL form
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
	t.Run("postgres concurrent", func(t *testing.T) {
		// Replicas starting together: the advisory lock lets one migrate.
		schema := pgSchema(t, false)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Go(func() {
				s, err := Open(ctx, pgURL(), WithSearchPath(schema))
				if err == nil {
					s.Close()
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent Open: %v", err)
			}
		}
	})
}

// TestPostgresDown checks that a Store whose database refuses connections
// answers EUNAVAILABLE, fast, from every method, with a message that does
// not leak the address.
func TestPostgresDown(t *testing.T) {
	const dsn = "postgres://postgres@127.0.0.1:1/test?sslmode=disable"
	s, err := connect(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, call := range storeCalls(s) {
		t.Run(name, func(t *testing.T) {
			assertUnavailable(t, call, 2*time.Second)
		})
	}
	t.Run("Open", func(t *testing.T) {
		assertUnavailable(t, func(ctx context.Context) error {
			_, err := Open(ctx, dsn)
			return err
		}, 2*time.Second)
	})
}

// TestPostgresSilent points the store at a server that accepts connections
// and never answers: the caller's deadline must bound every call.
func TestPostgresSilent(t *testing.T) {
	addr := testenv.HangingServer(t)
	s, err := connect("postgres://postgres@" + addr + "/test?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	calls := storeCalls(s)
	for _, name := range []string{"GetRule", "CreateRule", "Ping"} {
		t.Run(name, func(t *testing.T) {
			assertUnavailable(t, calls[name], 300*time.Millisecond)
		})
	}
}

func TestSQLiteUnavailable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing") // never created
	assertUnavailable(t, func(ctx context.Context) error {
		_, err := Open(ctx, filepath.Join(dir, "contextlens.db"))
		return err
	}, 2*time.Second)
}

// storeCalls returns one call of every RuleStore method but Close.
func storeCalls(s *Store) map[string]func(context.Context) error {
	r := testRule("r1")
	return map[string]func(context.Context) error{
		"ListRules": func(ctx context.Context) error { _, err := s.ListRules(ctx, contextlens.RuleFilter{}); return err },
		"GetRule":   func(ctx context.Context) error { _, err := s.GetRule(ctx, "r1"); return err },
		"CreateRule": func(ctx context.Context) error {
			_, err := s.CreateRule(ctx, r, testChange)
			return err
		},
		"UpdateRule": func(ctx context.Context) error {
			_, err := s.UpdateRule(ctx, r, 1, testChange)
			return err
		},
		"Revisions":    func(ctx context.Context) error { _, err := s.Revisions(ctx, "r1"); return err },
		"Revision":     func(ctx context.Context) error { _, err := s.Revision(ctx, "r1", 1); return err },
		"MatchedRules": func(ctx context.Context) error { _, err := s.MatchedRules(ctx); return err },
		"Seed": func(ctx context.Context) error {
			_, err := s.Seed(ctx, []contextlens.Rule{r}, testChange)
			return err
		},
		"AppendAudit": func(ctx context.Context) error {
			return s.AppendAudit(ctx, contextlens.AuditEntry{Actor: "a", Action: "rule.create"})
		},
		"Audit": func(ctx context.Context) error { _, err := s.Audit(ctx, contextlens.AuditFilter{}); return err },
		"AddFeedback": func(ctx context.Context) error {
			return s.AddFeedback(ctx, contextlens.Feedback{Rule: "r1", Reason: "helpful"})
		},
		"FeedbackCounts": func(ctx context.Context) error { _, err := s.FeedbackCounts(ctx, "r1"); return err },
		"RecordPublication": func(ctx context.Context) error {
			return s.RecordPublication(ctx, contextlens.Publication{Version: "v1"})
		},
		"LatestPublication": func(ctx context.Context) error { _, err := s.LatestPublication(ctx); return err },
		"Ping":              func(ctx context.Context) error { return s.Ping(ctx) },
	}
}

// assertUnavailable runs call under a deadline and wants EUNAVAILABLE
// within about that deadline.
func assertUnavailable(t *testing.T, call func(context.Context) error, deadline time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	err := call(ctx)
	elapsed := time.Since(start)
	if got := contextlens.ErrorCode(err); got != contextlens.EUNAVAILABLE {
		t.Fatalf("code = %q (err %v), want %q", got, err, contextlens.EUNAVAILABLE)
	}
	if elapsed > deadline+time.Second {
		t.Errorf("took %v, want about %v at most", elapsed, deadline)
	}
	if msg := contextlens.ErrorMessage(err); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "/") {
		t.Errorf("message %q leaks connection detail", msg)
	}
	var ce *contextlens.Error
	if !errors.As(err, &ce) {
		t.Errorf("no *contextlens.Error in %v", err)
	}
}

// TestSQLiteSettings checks the pragmas every connection must have.
func TestSQLiteSettings(t *testing.T) {
	s := openSQLite(t)
	ctx := context.Background()
	want := map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1", "synchronous": "1"}
	for name, db := range map[string]*sql.DB{"writer": s.write, "reader": s.read} {
		for pragma, w := range want {
			var got string
			if err := db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != w {
				t.Errorf("%s: %s = %s, want %s", name, pragma, got, w)
			}
		}
	}
	var qo string
	if err := s.read.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != "1" {
		t.Errorf("reader query_only = %q (%v), want 1", qo, err)
	}
}

// TestSQLiteTwoStores runs the concurrent workload through two Stores on
// one file, as a server and a CLI import would: their writers meet at the
// file lock, where BEGIN IMMEDIATE and busy_timeout must make them wait
// rather than fail with SQLITE_BUSY. The workload is smaller than the
// contract's: SQLite's busy handler sleeps rather than queues, so lock
// hand-overs between processes are slow (but must not fail).
func TestSQLiteTwoStores(t *testing.T) {
	path := SQLitePath(t.TempDir())
	var stores []*Store
	for range 2 {
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	hammer(t, 8, 10, stores...)
}

// TestSQLiteMemory checks that ":memory:" works, on a single connection.
func TestSQLiteMemory(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateRule(ctx, testRule("m"), testChange); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRule(ctx, "m"); err != nil {
		t.Fatal(err)
	}
}
