package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleHealthz answers while the process is up.
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz answers 200 once a rule set is loaded, 503 before.
func (s *Server) handleReadyz(c echo.Context) error {
	m := s.engine.Current()
	if m == nil {
		return newError(http.StatusServiceUnavailable, "unavailable", "rules are not loaded yet")
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "ruleset": m.Version(), "rules": m.Stats().Rules})
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIDoc)
}
