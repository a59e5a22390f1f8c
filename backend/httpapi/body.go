package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// decodeJSON reads a JSON request body into v, strictly: the media type
// must be JSON, the body at most limit bytes, valid UTF-8, one value with
// no unknown fields, no duplicate keys and nothing after it.
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
	if err := checkDuplicateKeys(data); err != nil {
		return newError(http.StatusBadRequest, "malformed_json", err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return newError(http.StatusBadRequest, "malformed_json", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return newError(http.StatusBadRequest, "malformed_json", "unexpected data after the JSON value")
	}
	return nil
}

// jsonProblem describes a decoding error without quoting the input.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %q must be a %s", te.Field, te.Type.String())
		}
		return fmt.Sprintf("expected a %s", te.Type.String())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "request body is empty or truncated"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		// The field's name is the caller's input: not echoed.
		return "the body has a field this endpoint does not accept"
	default:
		return "malformed JSON"
	}
}

// checkDuplicateKeys rejects objects that repeat a key: encoding/json would
// silently keep the last one, which hides mistakes (and smuggling).
// Malformed JSON is left to the real decode to report.
func checkDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	err := walkJSON(dec)
	if errors.Is(err, errDuplicateKey) {
		return err
	}
	return nil
}

var errDuplicateKey = errors.New("a JSON object repeats a key")

// walkJSON reads one value. Any token error stops the walk at once: after
// a syntax error the decoder makes no progress, and a loop on More() would
// never end.
func walkJSON(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			if seen[k] {
				return errDuplicateKey
			}
			seen[k] = true
			if err := walkJSON(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := walkJSON(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

func sortedNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
