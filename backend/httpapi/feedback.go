package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// feedbackRequest is a reader's report on one annotation. It carries no
// URL: which page the reader was on is none of our business.
type feedbackRequest struct {
	Rule    string `json:"rule"`
	Ruleset string `json:"ruleset"`
	Reason  string `json:"reason"`
	Quote   string `json:"quote"`
}

const (
	maxFeedbackBody  = 4 << 10
	maxFeedbackQuote = 300
)

// handleFeedback stores a reader's report for the editors (202).
func (s *Server) handleFeedback(c echo.Context) error {
	var req feedbackRequest
	if err := decodeJSON(c, maxFeedbackBody, &req); err != nil {
		return err
	}
	if req.Rule == "" || len(req.Rule) > 100 || len(req.Ruleset) > 100 {
		return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "rule is required (and rule and ruleset are short ids)")
	}
	if utf8.RuneCountInString(req.Quote) > maxFeedbackQuote {
		return newError(http.StatusUnprocessableEntity, contextlens.EINVALID, "quote is longer than 300 characters")
	}
	err := s.rules.Report(c.Request().Context(), contextlens.Feedback{
		Rule: req.Rule, Ruleset: req.Ruleset, Reason: req.Reason, Quote: strings.TrimSpace(req.Quote),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "received"})
}
