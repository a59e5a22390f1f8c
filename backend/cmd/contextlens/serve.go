package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/contextlens/contextlens/backend/auth"
	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/httpapi"
	"github.com/contextlens/contextlens/backend/match"
	"github.com/contextlens/contextlens/backend/rediscache"
	"github.com/contextlens/contextlens/backend/rulefile"
	"github.com/contextlens/contextlens/backend/ruleset"
)

func cmdServe(ctx context.Context, e env, args []string) error {
	cfg, fs, err := loadConfig(e, "serve", args, nil)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments")
	}
	level, _ := parseLevel(cfg.LogLevel)
	logger := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// The rules directory is the seed of a new store and the last resort
	// for readers when neither Redis nor the database can be reached.
	seed, err := loadRuleFiles(cfg.RulesDir)
	if err != nil {
		return err
	}
	engine := match.NewEngine(nil)

	var cache *rediscache.Cache
	if cfg.RedisURL != "" {
		if cache, err = rediscache.New(ctx, cfg.RedisURL, cfg.RedisPrefix, logger, rediscache.Options{}); err != nil {
			return err
		}
		defer cache.Close()
	}
	store := &lateStore{}
	defer store.Close()
	var bundles ruleset.BundleCache
	if cache != nil {
		bundles = cache
	}
	pub := ruleset.NewPublisher(engine, store, bundles, logger)

	// Load what every replica serves: Redis, else the store, else the files.
	// The store connects (and retries) in the background; start-up waits
	// for it a few seconds, not longer: readers must not wait on a database.
	connected := make(chan struct{})
	go store.connect(ctx, cfg.databaseDSN(), logger, func(ctx context.Context) {
		initStore(ctx, store, pub, seed, logger)
		close(connected)
	})
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
		return nil
	}
	if engine.Current() == nil {
		if err := pub.Load(ctx); err != nil {
			m, err := match.Compile(seed, match.CompileOptions{})
			if err != nil {
				return err
			}
			engine.Swap(m)
			logger.Warn("serving the rule files: neither Redis nor the store had a rule set", "ruleset", m.Version())
		}
	}
	go pub.Follow(ctx)

	keys, _, err := cfg.keys(ctx, logger)
	if err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(keys, cfg.authConfig())
	if err != nil {
		return err
	}
	proxies, _ := cfg.trustedProxies()
	rate, _ := strconv.ParseFloat(cfg.RateLimit, 64)
	limits := httpapi.DefaultLimits
	limits.RatePerSecond, limits.Burst = rate, int(2*rate)
	deps := httpapi.Deps{
		Engine: engine, Logger: logger, Limits: limits, TrustedProxies: proxies,
		Rules: ruleset.NewService(store, pub, hitCounter(cache), logger), Verifier: verifier,
	}
	if cache != nil {
		deps.Cache, deps.Hits = cache, cache
	}
	return listenAndServe(ctx, cfg.Addr, httpapi.NewServer(deps), logger)
}

// hitCounter avoids a typed nil inside the interface when there is no Redis.
func hitCounter(c *rediscache.Cache) ruleset.HitCounter {
	if c == nil {
		return nil
	}
	return c
}

// initStore seeds a new store from the rule files and publishes the first
// rule set; on an existing store it only adds rules that are new in the files.
func initStore(ctx context.Context, store contextlens.RuleStore, pub *ruleset.Publisher, seed []contextlens.Rule, logger *slog.Logger) {
	n, err := store.Seed(ctx, seed, contextlens.Change{Author: "system", Message: "seeded from rule files"})
	if err != nil {
		logger.Error("seeding the store failed", "err", err)
		return
	}
	_, err = store.LatestPublication(ctx)
	if n > 0 || contextlens.ErrorCode(err) == contextlens.ENOTFOUND {
		p, err := pub.Publish(ctx, "system")
		if err != nil {
			logger.Error("publishing the seeded rules failed", "err", err)
			return
		}
		logger.Info("rule set published", "seeded", n, "version", p.Version, "rules", p.Rules)
	}
}

// loadRuleFiles reads and validates the rule files; any problem stops start-up.
func loadRuleFiles(dir string) ([]contextlens.Rule, error) {
	files, problems, err := rulefile.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		problems = append(problems, f.Validate()...)
	}
	if len(problems) > 0 {
		errs := make([]error, 0, len(problems))
		for _, p := range problems {
			errs = append(errs, errors.New(p.String()))
		}
		return nil, fmt.Errorf("rules in %s have problems (run 'contextlens rules check'):\n%w", dir, errors.Join(errs...))
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no rule files in %s", dir)
	}
	return rulefile.Rules(files), nil
}

func listenAndServe(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
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
