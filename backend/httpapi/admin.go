package httpapi

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/contextlens/contextlens/backend/auth"
	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/ruleset"
)

// TokenVerifier checks bearer tokens; *auth.Verifier implements it.
type TokenVerifier interface {
	Verify(token string) (auth.Claims, error)
}

const actorKey = "contextlens.actor"

// requireRole authenticates the bearer token (only the Authorization
// header: never a query string or cookie, which leak into logs and
// caches) and checks the caller's role: no or bad token 401, too low 403.
func (s *Server) requireRole(min auth.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			scheme, token, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="contextlens-admin"`)
				return newError(http.StatusUnauthorized, contextlens.EUNAUTHORIZED, "a bearer token is required")
			}
			claims, err := s.verifier.Verify(strings.TrimSpace(token))
			if err != nil {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="contextlens-admin", error="invalid_token"`)
				return newError(http.StatusUnauthorized, contextlens.EUNAUTHORIZED, contextlens.ErrorMessage(err))
			}
			// The subject is stored as the author of revisions and audit
			// entries: a control character in it would reach the database.
			if !utf8.ValidString(claims.Subject) || contextlens.HasControlChar(claims.Subject) {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="contextlens-admin", error="invalid_token"`)
				return newError(http.StatusUnauthorized, contextlens.EUNAUTHORIZED, "the token's subject contains control characters")
			}
			if !claims.Role.AtLeast(min) {
				return newError(http.StatusForbidden, contextlens.EFORBIDDEN, "this needs the "+string(min)+" role")
			}
			c.Set(actorKey, ruleset.Actor{Subject: claims.Subject, Role: claims.Role, Remote: c.RealIP()})
			return next(c)
		}
	}
}

func actor(c echo.Context) ruleset.Actor {
	a, _ := c.Get(actorKey).(ruleset.Actor)
	return a
}
