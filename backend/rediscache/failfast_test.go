package rediscache

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/internal/testenv"
)

// failBound is the generous upper bound for any call against a dead or
// hanging Redis, with a 50ms call timeout (race detector included).
const failBound = 200 * time.Millisecond

// hangingServer accepts connections and never answers: the worst kind of
// outage, where only timeouts save the caller.
func hangingServer(t *testing.T) string { return testenv.HangingServer(t) }

type failOp struct {
	name string
	call func() bool // reports whether the answer was the fail-open one
}

func failOps(c *Cache) []failOp {
	ctx := context.Background()
	return []failOp{
		{"GetResult", func() bool { _, ok := c.GetResult(ctx, "k"); return !ok }},
		{"SetResult", func() bool { c.SetResult(ctx, "k", []byte("v"), time.Minute); return true }},
		{"CurrentVersion", func() bool {
			_, err := c.CurrentVersion(ctx)
			return contextlens.ErrorCode(err) == contextlens.EUNAVAILABLE
		}},
		{"Allow", func() bool { ok, rem, _ := c.Allow(ctx, "ip", 5, time.Minute); return ok && rem == 5 }},
		{"GetBundle", func() bool {
			_, err := c.GetBundle(ctx, "v1")
			return contextlens.ErrorCode(err) == contextlens.EUNAVAILABLE
		}},
		{"Publish", func() bool { return contextlens.ErrorCode(c.Publish(ctx, "v1")) == contextlens.EUNAVAILABLE }},
		{"Hits", func() bool {
			_, _, err := c.Hits(ctx, "r")
			return contextlens.ErrorCode(err) == contextlens.EUNAVAILABLE
		}},
		{"IncrHits", func() bool { c.IncrHits(ctx, "r", false, 1); return true }},
	}
}

func TestFailFast(t *testing.T) {
	for _, tt := range []struct{ name, addr string }{
		{"refused", "127.0.0.1:1"},
		{"hanging", hangingServer(t)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{Timeout: 50 * time.Millisecond, BundleTimeout: 100 * time.Millisecond, ProbeInterval: 20 * time.Millisecond}
			rec := &logRecorder{}
			start := time.Now()
			c := openCache(t, "redis://"+tt.addr+"/0", "ff:", opts, slogOf(rec))
			t.Logf("New: %v", time.Since(start))
			if d := time.Since(start); d > failBound {
				t.Errorf("New took %v", d)
			}
			// A second cache whose down flag the test clears before each
			// call, to time the path that reaches for the network (the
			// first request of an outage); c shows the steady state.
			raw := openCache(t, "redis://"+tt.addr+"/0", "ff:", opts, nil)

			for _, op := range failOps(raw) {
				raw.down.Store(false)
				start := time.Now()
				ok := op.call()
				d := time.Since(start)
				t.Logf("%-14s network       %v", op.name, d)
				if d > failBound {
					t.Errorf("%s (network) took %v, want < %v", op.name, d, failBound)
				}
				if !ok {
					t.Errorf("%s (network) did not fail open", op.name)
				}
			}
			for range 3 {
				for _, op := range failOps(c) {
					start := time.Now()
					ok := op.call()
					if d := time.Since(start); d > time.Millisecond {
						t.Errorf("%s (down) took %v, want it to skip Redis", op.name, d)
					}
					if !ok {
						t.Errorf("%s (down) did not fail open", op.name)
					}
				}
			}
			time.Sleep(5 * opts.ProbeInterval) // failing probes must not log either
			if n := rec.count("redis unavailable"); n != 1 {
				t.Errorf("logged %q %d times, want once per outage", "redis unavailable", n)
			}
			if c.Available() {
				t.Error("Available() = true against a dead Redis")
			}
		})
	}
}

// Many concurrent readers during an outage: none waits on another, and the
// whole burst finishes within one call timeout or so.
func TestFailFastConcurrent(t *testing.T) {
	c := openCache(t, "redis://"+hangingServer(t)+"/0", "ff:", Options{Timeout: 50 * time.Millisecond}, nil)
	c.down.Store(false)
	var wg sync.WaitGroup
	start := time.Now()
	for range 200 {
		wg.Go(func() { c.GetResult(context.Background(), "k") })
	}
	wg.Wait()
	d := time.Since(start)
	t.Logf("200 concurrent GetResult against a hanging server: %v", d)
	if d > 2*failBound {
		t.Errorf("took %v", d)
	}
}

// An outage mid-run: logged once, calls fail open, then it recovers by
// itself and says so once.
func TestOutageAndRecovery(t *testing.T) {
	requireRedis(t)
	prefix := randomPrefix(t)
	t.Cleanup(func() { deletePrefix(t, prefix) })
	p := newProxy(t)
	rec := &logRecorder{}
	c := openCache(t, "redis://"+p.addr+"/0", prefix, Options{Timeout: 50 * time.Millisecond, ProbeInterval: 20 * time.Millisecond}, slogOf(rec))
	ctx := context.Background()

	c.SetResult(ctx, "k", []byte("v"), time.Minute)
	if v, ok := c.GetResult(ctx, "k"); !ok || string(v) != "v" {
		t.Fatalf("GetResult before outage = %q, %v", v, ok)
	}

	p.stop()
	for range 20 {
		if _, ok := c.GetResult(ctx, "k"); ok {
			t.Fatal("hit during outage")
		}
		c.IncrHits(ctx, "r1", false, 1)
	}
	if err := c.FlushHits(ctx); err == nil {
		t.Error("FlushHits during outage succeeded")
	}
	if n := rec.count("redis unavailable"); n != 1 {
		t.Errorf("%d outage lines, want 1", n)
	}

	p.start()
	eventually(t, 2*time.Second, "recovery", c.Available)
	if v, ok := c.GetResult(ctx, "k"); !ok || string(v) != "v" {
		t.Errorf("GetResult after recovery = %q, %v", v, ok)
	}
	if n := rec.count("redis back"); n != 1 {
		t.Errorf("%d recovery lines, want 1", n)
	}
	// Hits counted during the outage were kept and land now.
	if err := c.FlushHits(ctx); err != nil {
		t.Fatal(err)
	}
	if live, _, err := c.Hits(ctx, "r1"); err != nil || live != 20 {
		t.Errorf("Hits after recovery = %d, %v; want 20", live, err)
	}
}
