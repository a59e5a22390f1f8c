package testenv

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgresURL is the PostgreSQL of the integration tests (database test,
// trust auth) unless CONTEXTLENS_TEST_PG_URL names another.
func PostgresURL() string {
	if u := os.Getenv("CONTEXTLENS_TEST_PG_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// PostgresSchema requires PostgreSQL and returns the name of a fresh
// schema (prefix and random hex) that is dropped, with everything in it and
// nothing else, when the test ends. Nothing creates it: the store creates it
// when it opens on it.
func PostgresSchema(t testing.TB, prefix string) string {
	t.Helper()
	RequireService(t, "postgresql", "127.0.0.1:5432")
	var b [6]byte
	rand.Read(b[:])
	schema := prefix + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		db, err := sql.Open("pgx", PostgresURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}
