// Package httpapi is the HTTP edge of Context Lens (echo v4): routes,
// request decoding, error mapping and middleware. It is the only package
// that knows about HTTP.
package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/contextlens/contextlens/backend/match"
	"github.com/contextlens/contextlens/backend/ruleset"
)

// ResultCache caches annotation results; *rediscache.Cache implements it.
// Implementations fail open: a miss or a dropped write, never an error.
type ResultCache interface {
	GetResult(ctx context.Context, key string) ([]byte, bool)
	SetResult(ctx context.Context, key string, val []byte, ttl time.Duration)
}

// Limits bound what one request may ask of the server.
type Limits struct {
	// MaxBody is the largest request body accepted (bytes).
	MaxBody int64
	// MaxTextRunes is the longest text annotate accepts (characters).
	MaxTextRunes int
	// RatePerSecond and Burst limit annotate requests per client address
	// (0 disables the limit).
	RatePerSecond float64
	Burst         int
	// CacheTTL is how long annotation results stay in the cache.
	CacheTTL time.Duration
}

// DefaultLimits are the limits of the contract.
var DefaultLimits = Limits{
	MaxBody:       64 << 10,
	MaxTextRunes:  50_000,
	RatePerSecond: 20,
	Burst:         40,
	CacheTTL:      24 * time.Hour,
}

// Deps are everything the server needs; nil optional fields switch the
// feature off.
type Deps struct {
	Engine *match.Engine
	Logger *slog.Logger
	Limits Limits
	// Cache is optional (no Redis configured).
	Cache ResultCache
	// Hits counts annotations per rule (optional).
	Hits HitRecorder
	// Rules and Verifier enable the admin API (both or neither).
	Rules    *ruleset.Service
	Verifier TokenVerifier
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// for the client address; without them the TCP peer is the client.
	TrustedProxies []*net.IPNet
}

// HitRecorder counts rule hits; *rediscache.Cache implements it.
type HitRecorder interface {
	IncrHits(ctx context.Context, ruleID string, shadow bool, n int64)
}

// Server holds the dependencies of the handlers.
type Server struct {
	engine   *match.Engine
	logger   *slog.Logger
	limits   Limits
	cache    ResultCache
	hits     HitRecorder
	rules    *ruleset.Service
	verifier TokenVerifier
}

// NewServer builds the HTTP handler with every route.
func NewServer(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Limits == (Limits{}) {
		d.Limits = DefaultLimits
	}
	s := &Server{engine: d.Engine, logger: d.Logger, limits: d.Limits, cache: d.Cache, hits: d.Hits, rules: d.Rules, verifier: d.Verifier}
	e := echo.New()
	// The client address feeds rate limits and the audit log, so forwarded
	// headers are believed only from configured proxies.
	if len(d.TrustedProxies) > 0 {
		opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
		for _, n := range d.TrustedProxies {
			opts = append(opts, echo.TrustIPRange(n))
		}
		e.IPExtractor = echo.ExtractIPFromXFFHeader(opts...)
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Logger)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Logger.Error("panic", "path", c.Path(), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ContentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
		ReferrerPolicy:        "no-referrer",
	}))
	s.routes(e)
	return e
}

// rateLimiter limits requests per client address in memory. Each replica
// limits on its own, so the limit holds even when Redis is down.
func (s *Server) rateLimiter() echo.MiddlewareFunc {
	if s.limits.RatePerSecond <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      rate.Limit(s.limits.RatePerSecond),
		Burst:     s.limits.Burst,
		ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		ErrorHandler: func(c echo.Context, err error) error {
			return newError(http.StatusForbidden, "forbidden", "could not identify the client")
		},
		DenyHandler: func(c echo.Context, id string, err error) error {
			c.Response().Header().Set("Retry-After", "1")
			return newError(http.StatusTooManyRequests, "rate_limited", "too many requests; slow down")
		},
	})
}
