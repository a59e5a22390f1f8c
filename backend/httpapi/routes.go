package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/auth"
)

// routes lists every route of the API in one place. openapi.json documents
// each of them (a test keeps the two in step).
func (s *Server) routes(e *echo.Echo) {
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/openapi.json", s.handleOpenAPI)
	e.POST("/v1/annotate", s.handleAnnotate, s.rateLimiter())

	if s.rules == nil || s.verifier == nil {
		return
	}
	e.POST("/v1/feedback", s.handleFeedback, s.rateLimiter())
	viewer, editor := s.requireRole(auth.RoleViewer), s.requireRole(auth.RoleEditor)
	admin := s.requireRole(auth.RoleAdmin)
	g := e.Group("/v1/admin")
	g.GET("/rules", s.handleListRules, viewer)
	g.POST("/rules", s.handleCreateRule, editor)
	g.GET("/rules/:id", s.handleGetRule, viewer)
	g.PUT("/rules/:id", s.handleUpdateRule, editor)
	g.DELETE("/rules/:id", s.handleDeleteRule, editor)
	g.GET("/rules/:id/revisions", s.handleRevisions, viewer)
	g.POST("/rules/:id/rollback", s.handleRollback, editor)
	g.POST("/rules/:id/status", s.handleSetStatus, editor)
	g.GET("/rules/:id/stats", s.handleRuleStats, viewer)
	g.POST("/test", s.handleDryRun, editor)
	g.GET("/ruleset", s.handleRuleset, viewer)
	g.GET("/audit", s.handleAudit, admin)
	g.GET("/export", s.handleExport, viewer)
}
