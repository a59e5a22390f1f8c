package httpapi

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/rulefile"
	"github.com/contextlens/contextlens/backend/ruleset"
)

// maxRuleBody bounds a rule sent to the admin API.
const maxRuleBody = 256 << 10

// changeMessageHeader carries an optional revision message on writes.
const changeMessageHeader = "X-Change-Message"

func etag(rev int) string { return `"` + strconv.Itoa(rev) + `"` }

// maxChangeMessage bounds a revision message (header or body).
const maxChangeMessage = 500

// changeMessage returns the revision message of a write: msg (the body's
// "message"), or the X-Change-Message header when msg is empty. It is
// stored with the revision, so it is checked like any stored text: valid
// UTF-8, no control characters but tab, newline and CR, at most 500
// characters; 422 naming where it came from.
func changeMessage(c echo.Context, msg string) (string, error) {
	field := "message"
	if msg == "" {
		field = changeMessageHeader
		msg = strings.TrimSpace(c.Request().Header.Get(changeMessageHeader))
	}
	problem := ""
	switch {
	case !utf8.ValidString(msg):
		problem = "is not valid UTF-8"
	case contextlens.HasControlChar(msg):
		problem = "contains a control character (only tab, newline and carriage return are allowed)"
	case utf8.RuneCountInString(msg) > maxChangeMessage:
		problem = fmt.Sprintf("is longer than %d characters", maxChangeMessage)
	}
	if problem != "" {
		return "", ruleset.InvalidFields("the change message is invalid", []contextlens.FieldError{{Field: field, Message: problem}})
	}
	return msg, nil
}

// optionalIfMatch is If-Match for writes where it may be left out (status
// changes, rollbacks): the revision to expect, or 0 ("whatever is current")
// without the header. The header, when sent, is read and evaluated as on
// PUT (readIfMatch, expectedRevision).
func (s *Server) optionalIfMatch(c echo.Context) (int, error) {
	cond, present, err := readIfMatch(c, false)
	if err != nil || !present {
		return 0, err
	}
	return s.expectedRevision(c, c.Param("id"), cond)
}

func writeRule(c echo.Context, status int, sr contextlens.StoredRule) error {
	c.Response().Header().Set("ETag", etag(sr.Revision))
	return c.JSON(status, sr)
}

func (s *Server) handleListRules(c echo.Context) error {
	f := contextlens.RuleFilter{
		Status:    contextlens.Status(c.QueryParam("status")),
		Narrative: c.QueryParam("narrative"),
		Lang:      c.QueryParam("lang"),
		Query:     c.QueryParam("q"),
	}
	if f.Status != "" && !f.Status.Valid() {
		return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "status must be one of draft, shadow, live, archived")
	}
	rules, err := s.rules.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if rules == nil {
		rules = []contextlens.StoredRule{}
	}
	return c.JSON(http.StatusOK, map[string]any{"rules": rules})
}

func (s *Server) handleGetRule(c echo.Context) error {
	sr, err := s.rules.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return writeRule(c, http.StatusOK, sr)
}

func (s *Server) handleCreateRule(c echo.Context) error {
	var r contextlens.Rule
	if err := decodeJSON(c, maxRuleBody, &r); err != nil {
		return err
	}
	msg, err := changeMessage(c, "")
	if err != nil {
		return err
	}
	sr, err := s.rules.Create(c.Request().Context(), actor(c), r, msg)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/v1/admin/rules/"+sr.Rule.ID)
	return writeRule(c, http.StatusCreated, sr)
}

func (s *Server) handleUpdateRule(c echo.Context) error {
	cond, _, err := readIfMatch(c, true)
	if err != nil {
		return err
	}
	var r contextlens.Rule
	if err := decodeJSON(c, maxRuleBody, &r); err != nil {
		return err
	}
	if r.ID == "" {
		r.ID = c.Param("id")
	}
	if r.ID != c.Param("id") {
		return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "the rule's id must equal the id in the path")
	}
	msg, err := changeMessage(c, "")
	if err != nil {
		return err
	}
	expect, err := s.expectedRevision(c, r.ID, cond)
	if err != nil {
		return err
	}
	sr, err := s.rules.Update(c.Request().Context(), actor(c), r, expect, msg)
	if err != nil {
		return err
	}
	return writeRule(c, http.StatusOK, sr)
}

// handleDeleteRule archives: history is never erased.
func (s *Server) handleDeleteRule(c echo.Context) error {
	cond, _, err := readIfMatch(c, true)
	if err != nil {
		return err
	}
	msg, err := changeMessage(c, "")
	if err != nil {
		return err
	}
	expect, err := s.expectedRevision(c, c.Param("id"), cond)
	if err != nil {
		return err
	}
	sr, err := s.rules.SetStatus(c.Request().Context(), actor(c), c.Param("id"), contextlens.StatusArchived, expect, msg)
	if err != nil {
		return err
	}
	return writeRule(c, http.StatusOK, sr)
}

func (s *Server) handleRevisions(c echo.Context) error {
	revs, err := s.rules.Revisions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"revisions": revs})
}

func (s *Server) handleRollback(c echo.Context) error {
	var body struct {
		Revision int    `json:"revision"`
		Message  string `json:"message"`
	}
	if err := decodeJSON(c, 4<<10, &body); err != nil {
		return err
	}
	if body.Revision < 1 {
		return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "revision must be a revision number (1 or more)")
	}
	expect, err := s.optionalIfMatch(c)
	if err != nil {
		return err
	}
	msg, err := changeMessage(c, body.Message)
	if err != nil {
		return err
	}
	sr, err := s.rules.Rollback(c.Request().Context(), actor(c), c.Param("id"), body.Revision, expect, msg)
	if err != nil {
		return err
	}
	return writeRule(c, http.StatusOK, sr)
}

func (s *Server) handleSetStatus(c echo.Context) error {
	var body struct {
		Status  contextlens.Status `json:"status"`
		Message string             `json:"message"`
	}
	if err := decodeJSON(c, 4<<10, &body); err != nil {
		return err
	}
	expect, err := s.optionalIfMatch(c)
	if err != nil {
		return err
	}
	msg, err := changeMessage(c, body.Message)
	if err != nil {
		return err
	}
	sr, err := s.rules.SetStatus(c.Request().Context(), actor(c), c.Param("id"), body.Status, expect, msg)
	if err != nil {
		return err
	}
	return writeRule(c, http.StatusOK, sr)
}

func (s *Server) handleDryRun(c echo.Context) error {
	var body struct {
		Rule *contextlens.Rule `json:"rule"`
		Text *string           `json:"text"`
	}
	if err := decodeJSON(c, s.limits.MaxBody+maxRuleBody, &body); err != nil {
		return err
	}
	if body.Rule == nil || body.Text == nil || strings.TrimSpace(*body.Text) == "" {
		return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "rule and a non-empty text are required")
	}
	res, err := s.rules.DryRun(*body.Rule, *body.Text)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (s *Server) handleRuleset(c echo.Context) error {
	info, err := s.rules.Ruleset(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, info)
}

func (s *Server) handleRuleStats(c echo.Context) error {
	st, err := s.rules.Stats(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) handleAudit(c echo.Context) error {
	f := contextlens.AuditFilter{Actor: c.QueryParam("actor"), Action: c.QueryParam("action"), Target: c.QueryParam("target")}
	if v := c.QueryParam("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "since must be an RFC 3339 time")
		}
		f.Since = t
	}
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "limit must be between 1 and 1000")
		}
		f.Limit = n
	}
	entries, err := s.rules.AuditLog(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []contextlens.AuditEntry{}
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": entries})
}

// handleExport streams the rules as a .tar.gz of rule files
// (<narrative>/<id>.yaml) that `contextlens rules check` accepts.
func (s *Server) handleExport(c echo.Context) error {
	ctx := c.Request().Context()
	rules, err := s.rules.Export(ctx)
	if err != nil {
		return err
	}
	files := make(map[string][]byte, len(rules))
	for _, r := range rules {
		data, err := rulefile.Marshal(r)
		if err != nil {
			return err
		}
		files[path.Join(r.Narrative, r.ID+".yaml")] = data
	}
	s.rules.Audit(ctx, actor(c), "rules.export", "", fmt.Sprintf("%d rules", len(rules)))
	res := c.Response()
	res.Header().Set(echo.HeaderContentType, "application/gzip")
	res.Header().Set(echo.HeaderContentDisposition, `attachment; filename="contextlens-rules.tar.gz"`)
	res.WriteHeader(http.StatusOK)
	gz := gzip.NewWriter(res)
	tw := tar.NewWriter(gz)
	now := time.Now()
	for _, name := range sortedNames(files) {
		data := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: "rules/" + name, Mode: 0o644, Size: int64(len(data)), ModTime: now}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// sortedNames returns the keys of m in order, so an export is reproducible.
func sortedNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
