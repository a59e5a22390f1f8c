package contextlens

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in httpapi; the rest of the
// project never speaks HTTP.
const (
	EINVALID      = "invalid"      // the input is well-formed but unacceptable
	ENOTFOUND     = "not_found"    // no such thing
	ECONFLICT     = "conflict"     // the thing exists already or changed under you
	EPRECONDITION = "precondition" // a required precondition (If-Match) is missing
	ESTALE        = "stale"        // the precondition failed (stale ETag)
	EUNAUTHORIZED = "unauthorized" // no or bad credentials
	EFORBIDDEN    = "forbidden"    // credentials fine, role too low
	EUNAVAILABLE  = "unavailable"  // a backing service is down
	EINTERNAL     = "internal"     // a bug; logged, never shown in detail
)

// Error is an error whose message is safe to show to the caller.
type Error struct {
	Code    string
	Message string
	// Details carries structured detail safe to show, such as failing examples.
	Details any
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, or EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err's *Error, or a generic message
// for any other error (internal details are never shown).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
