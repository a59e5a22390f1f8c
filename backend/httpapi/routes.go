package httpapi

import "github.com/labstack/echo/v4"

// routes lists every route of the API in one place. openapi.json documents
// each of them (a test keeps the two in step).
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/openapi.json", s.handleOpenAPI)
	e.POST("/v1/annotate", s.handleAnnotate, s.rateLimiter())
}
