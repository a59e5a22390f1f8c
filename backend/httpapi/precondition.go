package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// ifMatch is a parsed If-Match header (RFC 9110, section 13.1.1):
//
//	If-Match = "*" / #entity-tag
//	entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE
//	etagc = %x21 / %x23-7E / obs-text
type ifMatch struct {
	any  bool     // "*": any current representation
	tags []string // every entity tag as sent, W/ prefix included
}

// matches evaluates the condition against the rule's current ETag with the
// strong comparison If-Match requires: a weak tag never matches, and an
// opaque tag matches only octet for octet ("01" is not "1").
func (m ifMatch) matches(current string) bool {
	if m.any {
		return true
	}
	for _, t := range m.tags {
		if t == current { // current is strong, so a W/ tag is never equal
			return true
		}
	}
	return false
}

// parseIfMatch parses the field value; ok is false when it is not "*" nor
// a list of at least one entity tag.
func parseIfMatch(v string) (m ifMatch, ok bool) {
	v = strings.Trim(v, " \t")
	if v == "*" {
		return ifMatch{any: true}, true
	}
	for v != "" {
		// Empty list elements are allowed (RFC 9110, section 5.6.1).
		if v[0] == ',' || v[0] == ' ' || v[0] == '\t' {
			v = v[1:]
			continue
		}
		start := v
		if strings.HasPrefix(v, "W/") {
			v = v[2:]
		}
		if v == "" || v[0] != '"' {
			return ifMatch{}, false
		}
		end := 1
		for end < len(v) && v[end] != '"' {
			if c := v[end]; c < 0x21 || c == 0x7f {
				return ifMatch{}, false
			}
			end++
		}
		if end == len(v) {
			return ifMatch{}, false // no closing quote
		}
		tagLen := len(start) - len(v) + end + 1
		m.tags = append(m.tags, start[:tagLen])
		v = strings.TrimLeft(v[end+1:], " \t")
		if v != "" && v[0] != ',' {
			return ifMatch{}, false // something after a tag that is not a separator
		}
	}
	return m, len(m.tags) > 0
}

// readIfMatch reads the If-Match header of a write. required: a write
// without it answers 428 Precondition Required (it would silently overwrite
// a colleague's change). A header that is not "*" nor a list of entity tags
// answers 400: it is malformed syntax (RFC 9110, section 15.5.1), not a
// missing precondition, and not a failed one either: 412 tells a client to
// reload and retry, which would never help. present is false when the
// header is absent and not required.
func readIfMatch(c echo.Context, required bool) (m ifMatch, present bool, err error) {
	values := c.Request().Header.Values("If-Match")
	v := strings.Trim(strings.Join(values, ","), " \t,")
	if v == "" {
		if required {
			return ifMatch{}, false, newError(http.StatusPreconditionRequired, contextlens.EPRECONDITION, `If-Match with the rule's ETag is required (as GET returned it, e.g. If-Match: "3")`)
		}
		return ifMatch{}, false, nil
	}
	m, ok := parseIfMatch(v)
	if !ok {
		return ifMatch{}, false, newError(http.StatusBadRequest, "malformed_if_match", `If-Match must be "*" or entity tags as GET returned them in ETag, quotes included (e.g. If-Match: "3")`)
	}
	return m, true, nil
}

// expectedRevision evaluates an If-Match condition against the rule's
// current revision before the write (RFC 9110, section 13.2.2) and returns
// the revision the write must find: 412 Precondition Failed, writing
// nothing, when no tag matches. The store checks the revision again
// atomically, so a write racing this one still gets 412.
func (s *Server) expectedRevision(c echo.Context, id string, m ifMatch) (int, error) {
	cur, err := s.rules.Get(c.Request().Context(), id)
	if err != nil {
		return 0, err // 404 for no rule: without the header it would be 404 too
	}
	if !m.matches(etag(cur.Revision)) {
		return 0, &contextlens.Error{
			Code:    contextlens.ESTALE,
			Message: fmt.Sprintf("If-Match does not match the rule's current ETag %s (If-Match compares strongly: a weak W/ tag never matches): reload it and apply your change again", etag(cur.Revision)),
			Details: map[string]any{"revision": cur.Revision},
		}
	}
	return cur.Revision, nil
}
