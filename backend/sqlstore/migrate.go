package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/jackc/pgx/v5"
)

// migrationFiles are the schema changes, named NNNN_what.sql and applied in
// number order. A migration is never edited once released: add a new one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// columnTypes are the dialect's spellings of the few types the schema needs.
// Keeping one migration text per change, rather than one per database, is
// what keeps the two schemas the same logical schema.
type columnTypes struct {
	JSON     string // rule content
	Time     string // instants
	Identity string // an auto-assigned integer primary key
}

var dialectTypes = map[dialect]columnTypes{
	dialectPostgres: {
		JSON:     "JSONB",
		Time:     "TIMESTAMPTZ",
		Identity: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
	},
	dialectSQLite: {
		JSON: "TEXT",
		// Fixed-width UTC text (sqliteTimeLayout) compares as time does.
		Time: "TEXT",
		// AUTOINCREMENT never reuses an id, so id order stays time order.
		Identity: "INTEGER PRIMARY KEY AUTOINCREMENT",
	},
}

// migrateLockKey is the PostgreSQL advisory lock taken while migrating, so
// replicas starting together apply each migration once. The value is
// arbitrary but fixed.
const migrateLockKey = 0x636c656e73 // "clens"

type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations for d, in order.
func migrations(d dialect) ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", base)
		}
		text, err := fs.ReadFile(migrationFiles, name)
		if err != nil {
			return nil, err
		}
		tmpl, err := template.New(base).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, dialectTypes[d]); err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		out = append(out, migration{version: version, name: base, sql: buf.String()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a number", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// migrate applies every pending migration in one transaction and records
// each in schema_migrations: a failure leaves the schema as it was.
// Running it again on a migrated database changes nothing.
func (s *Store) migrate(ctx context.Context) error {
	all, err := migrations(s.dialect)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "migrate", func(tx *sql.Tx) error {
		if s.dialect == dialectPostgres {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
				return err
			}
			if err := s.createSchema(ctx, tx); err != nil {
				return err
			}
		}
		// On SQLite the writer's BEGIN IMMEDIATE already excludes other
		// processes migrating the same file.
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name    TEXT NOT NULL,
			applied `+dialectTypes[s.dialect].Time+` NOT NULL
		)`); err != nil {
			return err
		}
		applied, err := appliedVersions(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range all {
			if applied[m.version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx,
				"INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)",
				m.version, m.name, s.timeArg(now())); err != nil {
				return err
			}
		}
		return nil
	})
}

func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int]bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// createSchema creates the first schema of an explicit search_path, so a
// test (or a tenant) can name a fresh schema and simply Open it.
func (s *Store) createSchema(ctx context.Context, tx *sql.Tx) error {
	var searchPath string
	if err := tx.QueryRowContext(ctx, "SELECT current_setting('search_path')").Scan(&searchPath); err != nil {
		return err
	}
	first, _, _ := strings.Cut(searchPath, ",")
	first = strings.TrimSpace(first)
	if first == "" || strings.Contains(first, "$user") {
		return nil // the default: public, created with the database
	}
	if strings.HasPrefix(first, `"`) && strings.HasSuffix(first, `"`) && len(first) >= 2 {
		first = strings.ReplaceAll(first[1:len(first)-1], `""`, `"`)
	}
	// Look first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on
	// the database even when the schema exists, which a production role
	// confined to its schema does not have.
	var exists bool
	if err := tx.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", first).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err := tx.ExecContext(ctx, "CREATE SCHEMA "+pgx.Identifier{first}.Sanitize())
	return err
}
