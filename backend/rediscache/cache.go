// Package rediscache keeps what replicas share in Redis: annotation results,
// published rule-set bundles and the current version (with pub/sub to
// announce new ones), per-rule hit counters and rate-limit counters.
//
// Redis is an accelerator here, never a dependency: every call fails open
// and fast. Each call has a short deadline (Options.Timeout), the client
// never retries, and once a call sees Redis unreachable the Cache stops
// calling it at all (reads miss, writes are skipped, rate limits allow)
// until a background probe finds it again. An outage is logged once when
// it starts and once when it ends.
//
// All keys live under the prefix given to New, so several deployments (and
// tests) can share one Redis. Nothing here ever flushes a database.
package rediscache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Options tunes a Cache. Zero values pick the defaults. Timeouts in the
// Redis URL are ignored: these are what keeps a Redis outage from becoming
// an API outage, so they are not left to a connection string.
type Options struct {
	// Timeout bounds each call on the request path (results, versions,
	// rate limits). Default 100ms.
	Timeout time.Duration
	// BundleTimeout bounds bundle reads and writes, which move more bytes
	// and run off the request path. Default 1s.
	BundleTimeout time.Duration
	// BundleTTL is how long a published bundle is kept. Default 30 days.
	BundleTTL time.Duration
	// ProbeInterval is how often a down Redis is pinged. Default 500ms.
	ProbeInterval time.Duration
	// CheckInterval is how often Subscribe compares the current version
	// with the last one seen, in case a pub/sub message was lost. Default 3s.
	CheckInterval time.Duration
	// MaxBackoff caps the wait between resubscription attempts. Default 2s.
	MaxBackoff time.Duration
	// FlushInterval is how often buffered hit counts are written. Default 1s.
	FlushInterval time.Duration
	// PoolSize is connections per node; 0 keeps go-redis' default.
	PoolSize int
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, 100*time.Millisecond)
	def(&o.BundleTimeout, time.Second)
	def(&o.BundleTTL, 30*24*time.Hour)
	def(&o.ProbeInterval, 500*time.Millisecond)
	def(&o.CheckInterval, 3*time.Second)
	def(&o.MaxBackoff, 2*time.Second)
	def(&o.FlushInterval, time.Second)
	return o
}

// Cache is a fail-open view of Redis. It is safe for concurrent use.
type Cache struct {
	rdb    redis.UniversalClient
	prefix string
	log    *slog.Logger
	opt    Options

	down      atomic.Bool  // Redis is unreachable: skip it until the probe says otherwise
	downSince atomic.Int64 // unix nanoseconds, for the "back" log line

	hits hitBuffer

	done      chan struct{} // closed by Close; stops the probe and the flusher
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// New returns a Cache for the Redis at rawURL, with keys under prefix.
//
// rawURL is a redis:// or rediss:// URL (redis.ParseURL). Add
// master_name=NAME to reach a Sentinel-managed primary (the host is then a
// sentinel) and addr=HOST:PORT parameters to list more cluster or sentinel
// nodes; a URL with addr= and no master_name is a Cluster.
//
// New fails only on a bad URL. If Redis is down, the Cache starts in the
// down state (logged) and recovers by itself.
func New(ctx context.Context, rawURL, prefix string, logger *slog.Logger, opts Options) (*Cache, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opt := opts.withDefaults()
	uo, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	fastOptions(uo, opt)
	quietDriverOnce.Do(func() { redis.SetLogger(driverLogger{logger}) })

	c := &Cache{
		rdb:    redis.NewUniversalClient(uo),
		prefix: prefix,
		log:    logger,
		opt:    opt,
		done:   make(chan struct{}),
	}
	c.wg.Add(1)
	go c.flushLoop()

	pctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	if err := c.rdb.Ping(pctx).Err(); err != nil && ctx.Err() == nil {
		c.markDown(err)
	}
	return c, nil
}

// fastOptions applies the fail-fast settings. The per-call deadline comes
// from the context (ContextTimeoutEnabled); the socket timeouts only back
// it up, so they are as long as the longest call (bundles).
func fastOptions(uo *redis.UniversalOptions, opt Options) {
	uo.MaxRetries = -1 // go-redis: -1 means none; 0 would mean 3
	uo.DialerRetries = 1
	uo.DialTimeout = opt.Timeout
	uo.ReadTimeout = opt.BundleTimeout
	uo.WriteTimeout = opt.BundleTimeout
	uo.PoolTimeout = opt.Timeout
	uo.ContextTimeoutEnabled = true
	if opt.PoolSize > 0 {
		uo.PoolSize = opt.PoolSize
	}
	// Fewer round trips per new connection, so recovery is quick and a
	// hanging server costs one timeout, not several: RESP2 needs no HELLO,
	// and we skip CLIENT SETINFO and maintenance-notification handshakes.
	if uo.Protocol == 0 {
		uo.Protocol = 2
	}
	uo.DisableIdentity = true
	uo.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}

// parseURL turns a redis URL into universal options for a single node,
// Sentinel or Cluster.
func parseURL(rawURL string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, badURL(err)
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, badURL(err)
		}
		return &redis.UniversalOptions{
			Addrs: o.SentinelAddrs, MasterName: o.MasterName,
			SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword,
			Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
			ClientName: o.ClientName, Protocol: o.Protocol,
		}, nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, badURL(err)
		}
		return &redis.UniversalOptions{
			Addrs: o.Addrs, IsClusterMode: true,
			Username: o.Username, Password: o.Password, TLSConfig: o.TLSConfig,
			ClientName: o.ClientName, Protocol: o.Protocol,
			ReadOnly: o.ReadOnly, RouteByLatency: o.RouteByLatency, RouteRandomly: o.RouteRandomly,
		}, nil
	}
	o, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, badURL(err)
	}
	uo := &redis.UniversalOptions{
		Addrs:    []string{o.Addr},
		Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig,
		ClientName: o.ClientName, Protocol: o.Protocol,
	}
	if o.Network == "unix" {
		uo.Dialer = func(ctx context.Context, _, addr string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", addr)
		}
	}
	return uo, nil
}

// badURL reports a URL problem without quoting the URL, which may carry a
// password: *url.Error embeds it verbatim, go-redis' own messages do not.
func badURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return errors.New("rediscache: bad redis URL (want redis://[user:password@]host:port/db)")
	}
	return fmt.Errorf("rediscache: bad redis URL: %w", err)
}

// Close flushes buffered hit counts (best effort), stops background work
// and closes the connections.
func (c *Cache) Close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.done)
		c.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), c.opt.Timeout)
		defer cancel()
		_ = c.FlushHits(ctx)
		err = c.rdb.Close()
	})
	return err
}

// Available reports whether Redis is currently believed reachable. For
// health endpoints: a down cache is degraded service, not an outage.
func (c *Cache) Available() bool { return !c.down.Load() }

// key returns name under the cache's prefix.
func (c *Cache) key(parts ...string) string { return c.prefix + strings.Join(parts, ":") }

// observe records the outcome of a call that reached for Redis: failures
// that mean Redis is unreachable flip the cache into the down state.
// It returns err so calls can end with `return c.observe(ctx, err)`.
func (c *Cache) observe(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, redis.Nil) {
		return err
	}
	if ctx.Err() != nil {
		// The caller gave up (request cancelled); says nothing about Redis.
		return err
	}
	if isOutage(err) {
		c.markDown(err)
	}
	return err
}

// isOutage tells unreachability (network errors, timeouts, a closed pool,
// a server that is loading or failing over) from a reply error such as
// WRONGTYPE, which is a bug to report rather than an outage to ride out.
func isOutage(err error) bool {
	var rerr redis.Error
	if errors.As(err, &rerr) {
		msg := rerr.Error()
		for _, p := range []string{"LOADING", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "READONLY"} {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
		return false
	}
	return true
}

// markDown enters the down state; the first caller logs and starts the
// probe, so an outage costs one log line however many calls notice it.
func (c *Cache) markDown(err error) {
	if !c.down.CompareAndSwap(false, true) {
		return
	}
	c.downSince.Store(time.Now().UnixNano())
	c.log.Warn("redis unavailable; continuing without it", "err", err)
	select {
	case <-c.done:
		return // closing: no probe, nothing left to recover for
	default:
	}
	c.wg.Add(1)
	go c.probe()
}

// probe pings Redis until it answers, then leaves the down state. It is
// the only way out of it, so there is exactly one probe per outage.
func (c *Cache) probe() {
	defer c.wg.Done()
	t := time.NewTicker(c.opt.ProbeInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.opt.Timeout)
		err := c.rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			since := time.Unix(0, c.downSince.Load())
			c.down.Store(false)
			c.log.Info("redis back", "down_for", time.Since(since).Round(time.Millisecond))
			return
		}
	}
}

// errUnavailable is returned by calls that must report failure (bundles,
// versions) while Redis is down; httpapi maps it to 503.
var errUnavailable = &contextlens.Error{Code: contextlens.EUNAVAILABLE, Message: "cache unavailable"}

// fail converts a Redis error for callers that return errors.
func fail(op string, err error) error {
	if isOutage(err) {
		return errUnavailable
	}
	return fmt.Errorf("rediscache: %s: %w", op, err)
}

// quietDriverOnce routes go-redis' own log lines (one per failed dial,
// which would flood stderr during an outage) to debug level. go-redis has
// a single process-wide logger, so the first Cache's logger wins.
var quietDriverOnce sync.Once

type driverLogger struct{ l *slog.Logger }

func (d driverLogger) Printf(ctx context.Context, format string, v ...any) {
	d.l.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
}
