package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/labstack/echo/v4"
)

// decodeJSON reads a JSON request body into v, strictly: the media type
// must be JSON, the body at most limit bytes, valid UTF-8, one object with
// no unknown or duplicate members (names match exactly) and nothing after it.
//
// It decodes with github.com/go-json-experiment/json, the maintained
// upstream of encoding/json/v2: it rejects duplicate names and invalid
// UTF-8 itself, in one pass about three times faster than encoding/json,
// which on a 20 KB article was most of the request's cost.
func decodeJSON(c echo.Context, limit int64, v any) error {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return newError(http.StatusUnsupportedMediaType, "unsupported_media_type", "Content-Type must be application/json")
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return newError(http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("request body is larger than %d bytes", limit))
		}
		return newError(http.StatusBadRequest, "bad_request", "could not read the request body")
	}
	if !utf8.Valid(data) {
		return newError(http.StatusBadRequest, "invalid_utf8", "request body is not valid UTF-8")
	}
	// Every body is an object. A bare null would decode into the zero
	// request and then fail as a missing field (422), and other values as a
	// wrong type: both are malformed requests (400), said as such.
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return newError(http.StatusBadRequest, "malformed_json", "the body must be a JSON object")
	}
	// The body is valid UTF-8 (checked above, many bytes at a time), so the
	// decoder need not check it again rune by rune while it unquotes strings.
	if err := json.Unmarshal(data, v, json.RejectUnknownMembers(true), jsontext.AllowInvalidUTF8(true)); err != nil {
		return newError(http.StatusBadRequest, "malformed_json", jsonProblem(err))
	}
	return nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error) string {
	var se *jsontext.SyntacticError
	var me *json.SemanticError
	switch {
	case errors.Is(err, jsontext.ErrDuplicateName):
		return "a JSON object repeats a key"
	case errors.Is(err, json.ErrUnknownName):
		// The member's name is the caller's input: not echoed.
		return "the body has a field this endpoint does not accept"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "request body is empty or truncated"
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.ByteOffset)
	case errors.As(err, &me):
		if me.GoType != nil && me.JSONPointer != "" {
			return fmt.Sprintf("a field has the wrong type (at %s)", safePointer(me.JSONPointer))
		}
		return "the body does not have the expected shape"
	default:
		return "malformed JSON"
	}
}

// safePointer shows a JSON pointer only when it names known, short field
// paths (letters, digits, _ and /): never arbitrary input.
func safePointer(p jsontext.Pointer) string {
	s := string(p)
	if len(s) > 60 {
		return "a nested field"
	}
	for _, c := range s {
		if !(c == '/' || c == '_' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "a nested field"
		}
	}
	return s
}
