package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// wrap turns a database error into what callers can act on. Errors meaning
// the database cannot be reached become EUNAVAILABLE (HTTP 503, "try
// again"); the rest stay internal. The result wraps both the *contextlens.Error
// and the driver's error: contextlens.ErrorCode and ErrorMessage see the
// safe code and message, while err.Error(), which only the log sees, keeps
// the driver's detail.
func (s *Store) wrap(err error, op string) error {
	var ce *contextlens.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce):
		return err
	case errors.Is(err, context.Canceled):
		// The caller gave up; that is neither our fault nor the database's.
		return fmt.Errorf("sqlstore %s: %w", op, err)
	}
	if msg := unavailable(err); msg != "" {
		return fmt.Errorf("%w (sqlstore %s: %w)", contextlens.Errorf(contextlens.EUNAVAILABLE, "%s", msg), op, err)
	}
	return fmt.Errorf("sqlstore %s: %w", op, err)
}

// unavailable returns a message safe to show when err means the database
// cannot be reached or cannot answer now, and "" otherwise.
func unavailable(err error) string {
	const (
		unreachable = "the rule database cannot be reached; try again later"
		slow        = "the rule database did not answer in time; try again later"
		busy        = "the rule database is busy; try again"
	)
	var (
		connectErr *pgconn.ConnectError
		pgErr      *pgconn.PgError
		netErr     net.Error
		liteErr    *sqlite.Error
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return slow
	case errors.As(err, &connectErr),
		errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, driver.ErrBadConn),
		errors.Is(err, sql.ErrConnDone),
		// database/sql does not export this one.
		strings.Contains(err.Error(), "sql: database is closed"):
		return unreachable
	case errors.As(err, &pgErr):
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			strings.HasPrefix(pgErr.Code, "53"),  // insufficient resources (too many connections, disk full)
			strings.HasPrefix(pgErr.Code, "57P"): // shutdown, cannot connect now
			return unreachable
		}
	case errors.As(err, &liteErr):
		switch liteErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			// Only another process holding the file longer than the busy
			// timeout gets here: this process's writers queue in Go.
			return busy
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL:
			return unreachable
		}
	}
	return ""
}

func notFound(format string, args ...any) error {
	return contextlens.Errorf(contextlens.ENOTFOUND, format, args...)
}
