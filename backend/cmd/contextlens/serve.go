package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/contextlens/contextlens/backend/httpapi"
	"github.com/contextlens/contextlens/backend/match"
)

// serveConfig is every setting of `serve`; each has a CONTEXTLENS_*
// variable, and a flag of the same name overrides it.
type serveConfig struct {
	Addr     string
	RulesDir string
	RedisURL string
	LogLevel string
}

func parseServeConfig(e env, args []string) (serveConfig, error) {
	cfg := serveConfig{
		Addr:     envOr(e.getenv, "CONTEXTLENS_ADDR", "127.0.0.1:8080"),
		RulesDir: defaultRulesDir(e.getenv),
		RedisURL: e.getenv("CONTEXTLENS_REDIS_URL"),
		LogLevel: envOr(e.getenv, "CONTEXTLENS_LOG_LEVEL", "info"),
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (CONTEXTLENS_ADDR)")
	fs.StringVar(&cfg.RulesDir, "rules", cfg.RulesDir, "rules directory (CONTEXTLENS_RULES_DIR)")
	fs.StringVar(&cfg.RedisURL, "redis-url", cfg.RedisURL, "redis:// URL; empty: no Redis (CONTEXTLENS_REDIS_URL)")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error (CONTEXTLENS_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return cfg, exitError{2}
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("serve takes no arguments")
	}
	// Report every problem at once.
	var problems []string
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		problems = append(problems, fmt.Sprintf("CONTEXTLENS_ADDR %q: want host:port", cfg.Addr))
	}
	if _, err := parseLevel(cfg.LogLevel); err != nil {
		problems = append(problems, err.Error())
	}
	if cfg.RedisURL != "" && !strings.HasPrefix(cfg.RedisURL, "redis://") && !strings.HasPrefix(cfg.RedisURL, "rediss://") {
		problems = append(problems, "CONTEXTLENS_REDIS_URL: want a redis:// or rediss:// URL")
	}
	if len(problems) > 0 {
		return cfg, fmt.Errorf("invalid settings:\n  %s", strings.Join(problems, "\n  "))
	}
	return cfg, nil
}

func cmdServe(ctx context.Context, e env, args []string) error {
	cfg, err := parseServeConfig(e, args)
	if err != nil {
		return err
	}
	level, _ := parseLevel(cfg.LogLevel)
	logger := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))

	m, err := loadMatcher(cfg.RulesDir)
	if err != nil {
		return err
	}
	logger.Info("rules loaded", "dir", cfg.RulesDir, "ruleset", m.Version(), "rules", m.Stats().Rules, "compile", m.Stats().CompileTime.String())
	engine := match.NewEngine(m)

	deps := httpapi.Deps{Engine: engine, Logger: logger, Limits: httpapi.DefaultLimits}
	if cfg.RedisURL != "" {
		return fmt.Errorf("CONTEXTLENS_REDIS_URL: Redis support is not wired yet")
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           httpapi.NewServer(deps),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
	logger.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	logger.Info("shutting down")
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("CONTEXTLENS_LOG_LEVEL %q: want debug, info, warn or error", s)
	}
	return l, nil
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
