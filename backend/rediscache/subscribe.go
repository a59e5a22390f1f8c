package rediscache

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
)

// Subscribe calls onVersion whenever the current rule-set version changes,
// until ctx ends. It blocks; run it in its own goroutine.
//
// Two paths feed it: the pub/sub channel (fast, but Redis drops messages
// sent while a subscriber is disconnected) and a check of CurrentVersion
// every Options.CheckInterval and after every (re)subscription (slow, but
// never misses the latest version). onVersion is called one at a time, from
// this goroutine, at most once per change: the first version seen
// (normally the one current when Subscribe starts) and then each version
// that differs from the one before. The caller compares it with what it
// has loaded.
//
// After a Redis outage Subscribe resubscribes with jittered exponential
// backoff capped at Options.MaxBackoff, so a fleet of replicas does not
// reconnect in lock-step. End ctx before closing the Cache.
func (c *Cache) Subscribe(ctx context.Context, onVersion func(version string)) {
	s := &subscriber{c: c, onVersion: onVersion}
	s.check(ctx)
	var backoff time.Duration
	for ctx.Err() == nil {
		if s.listen(ctx) {
			backoff = 0 // it worked for a while: the next failure starts over
		}
		backoff = min(max(2*backoff, 100*time.Millisecond), c.opt.MaxBackoff)
		// 80-100% of the backoff: spreads replicas without ever exceeding the cap.
		wait := backoff - time.Duration(rand.Int64N(int64(backoff)/5+1))
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

type subscriber struct {
	c         *Cache
	onVersion func(string)
	last      string // last version delivered
}

func (s *subscriber) deliver(v string) {
	if v == "" || v == s.last {
		return
	}
	s.last = v
	s.onVersion(v)
}

// check is the backstop: it reads the current version directly. It skips
// the down flag on purpose: this is one background read per interval, and
// right after a resubscription it must not wait for the probe to notice
// Redis is back, or a version published during the outage would wait a
// whole interval.
func (s *subscriber) check(ctx context.Context) {
	if v, err := s.c.currentVersion(ctx); err == nil {
		s.deliver(v)
	}
}

// listen subscribes and handles messages until the connection fails or ctx
// ends. It reports whether the subscription was established.
func (s *subscriber) listen(ctx context.Context) bool {
	c := s.c
	ps := c.rdb.Subscribe(ctx, c.key(channel))
	defer ps.Close()
	// A blocked receive does not watch ctx; closing the PubSub (which
	// go-redis supports from another goroutine) ends it at once.
	stop := context.AfterFunc(ctx, func() { ps.Close() })
	defer stop()

	// The first reply confirms the subscription: from then on no
	// announcement is lost, so one check covers everything before it.
	msg, err := ps.ReceiveTimeout(ctx, c.opt.BundleTimeout)
	if err != nil {
		return false
	}
	if _, ok := msg.(*redis.Subscription); !ok {
		return false
	}
	s.check(ctx)

	interval := c.opt.CheckInterval
	nextCheck := time.Now().Add(interval)
	lastHeard := time.Now()
	for {
		msg, err := ps.ReceiveTimeout(ctx, max(time.Until(nextCheck), time.Millisecond))
		switch {
		case ctx.Err() != nil:
			return true
		case err == nil:
			lastHeard = time.Now()
			if m, ok := msg.(*redis.Message); ok && m.Channel == c.key(channel) {
				s.deliver(m.Payload)
			}
		case !isTimeout(err):
			return true // connection lost: back off and resubscribe
		}
		if time.Now().Before(nextCheck) {
			continue
		}
		nextCheck = time.Now().Add(interval)
		s.check(ctx)
		// A half-open connection (a peer that vanished without a FIN)
		// never errors; only silence reveals it. We ping every interval,
		// so two intervals without even a pong means it is dead.
		if time.Since(lastHeard) > 2*interval+c.opt.Timeout {
			return true
		}
		pctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
		err = ps.Ping(pctx)
		cancel()
		if err != nil {
			return true
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
