package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/ruleset"
)

// feedbackRequest is a reader's report on one annotation. It carries no
// URL: which page the reader was on is none of our business.
type feedbackRequest struct {
	Rule    string `json:"rule"`
	Ruleset string `json:"ruleset"`
	Reason  string `json:"reason"`
	Quote   string `json:"quote"`
}

const maxFeedbackBody = 4 << 10

// handleFeedback stores a reader's report for the editors (202). The report
// is checked here (contextlens.Feedback.Validate: short ids, a known reason,
// a quote of at most 300 characters, no control characters) before anything
// else sees it.
func (s *Server) handleFeedback(c echo.Context) error {
	var req feedbackRequest
	if err := decodeJSON(c, maxFeedbackBody, &req); err != nil {
		return err
	}
	f := contextlens.Feedback{Rule: req.Rule, Ruleset: req.Ruleset, Reason: req.Reason, Quote: strings.TrimSpace(req.Quote)}
	if errs := f.Validate(); len(errs) > 0 {
		return ruleset.InvalidFields("the report is invalid", errs)
	}
	if err := s.rules.Report(c.Request().Context(), f); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]string{"status": "received"})
}
