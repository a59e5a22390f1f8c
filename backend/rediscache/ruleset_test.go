package rediscache

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/redis/go-redis/v9"
)

func slogOf(h slog.Handler) *slog.Logger { return slog.New(h) }

func TestBundleAndVersion(t *testing.T) {
	c, prefix := newTestCache(t, Options{BundleTTL: 3 * 24 * time.Hour})
	ctx := context.Background()

	if _, err := c.CurrentVersion(ctx); contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
		t.Errorf("CurrentVersion on empty = %v, want ENOTFOUND", err)
	}
	if _, err := c.GetBundle(ctx, "v1"); contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
		t.Errorf("GetBundle missing = %v, want ENOTFOUND", err)
	}
	bundle := make([]byte, 1<<20) // a realistic size, well past one packet
	for i := range bundle {
		bundle[i] = byte(i)
	}
	if err := c.PutBundle(ctx, "v1", bundle); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetBundle(ctx, "v1")
	if err != nil || string(got) != string(bundle) {
		t.Fatalf("GetBundle = %d bytes, %v", len(got), err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	if ttl := rdb.TTL(ctx, prefix+"bundle:v1").Val(); ttl < 71*time.Hour || ttl > 72*time.Hour {
		t.Errorf("bundle TTL = %v, want ~72h", ttl)
	}

	if err := c.SetCurrentVersion(ctx, "v1"); err != nil {
		t.Fatal(err)
	}
	if v, err := c.CurrentVersion(ctx); err != nil || v != "v1" {
		t.Errorf("CurrentVersion = %q, %v", v, err)
	}
	if err := c.Publish(ctx, "v2"); err != nil {
		t.Fatal(err)
	}
	if v, _ := c.CurrentVersion(ctx); v != "v2" {
		t.Errorf("after Publish, CurrentVersion = %q", v)
	}
	for _, err := range []error{c.Publish(ctx, ""), c.SetCurrentVersion(ctx, ""), c.PutBundle(ctx, "", nil)} {
		if contextlens.ErrorCode(err) != contextlens.EINVALID {
			t.Errorf("empty version: err = %v, want EINVALID", err)
		}
	}
}

// versions collects onVersion calls.
type versions struct {
	mu   sync.Mutex
	seen []string
	at   []time.Time
}

func (v *versions) add(s string) {
	v.mu.Lock()
	v.seen = append(v.seen, s)
	v.at = append(v.at, time.Now())
	v.mu.Unlock()
}

func (v *versions) get() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.seen...)
}

func (v *versions) has(s string) func() bool {
	return func() bool {
		for _, x := range v.get() {
			if x == s {
				return true
			}
		}
		return false
	}
}

// subscribe runs Subscribe in the background until the test ends, and
// waits until Redis reports the subscription, so nothing races it.
func subscribe(t *testing.T, c *Cache, prefix string, n int) *versions {
	v := &versions{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Subscribe(ctx, v.add); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(time.Second):
			t.Error("Subscribe did not return within 1s of cancellation")
		}
	})
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	eventually(t, 2*time.Second, "subscription", func() bool {
		return rdb.PubSubNumSub(context.Background(), prefix+"ruleset").Val()[prefix+"ruleset"] >= int64(n)
	})
	return v
}

func TestPublishReachesOtherReplica(t *testing.T) {
	// The backstop check is made slow so only pub/sub can pass this test.
	opts := Options{CheckInterval: time.Minute}
	pub, prefix := newTestCache(t, opts)
	sub := openCache(t, testRedis, prefix, opts, nil)
	v := subscribe(t, sub, prefix, 1)

	start := time.Now()
	if err := pub.Publish(context.Background(), "v7"); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "v7 via pub/sub", v.has("v7"))
	t.Logf("publish to callback: %v", time.Since(start))
}

func TestVersionCheckBackstop(t *testing.T) {
	opts := Options{CheckInterval: 100 * time.Millisecond}
	admin, prefix := newTestCache(t, opts)
	replica := openCache(t, testRedis, prefix, opts, nil)
	v := subscribe(t, replica, prefix, 1)

	// No PUBLISH: as if the message had been lost.
	start := time.Now()
	if err := admin.SetCurrentVersion(context.Background(), "v9"); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "v9 via the periodic check", v.has("v9"))
	t.Logf("unannounced version noticed after %v", time.Since(start))
}

func TestSubscribeDedupes(t *testing.T) {
	opts := Options{CheckInterval: 50 * time.Millisecond}
	c, prefix := newTestCache(t, opts)
	ctx := context.Background()
	if err := c.SetCurrentVersion(ctx, "v1"); err != nil {
		t.Fatal(err)
	}
	v := subscribe(t, c, prefix, 1)
	eventually(t, time.Second, "initial version", v.has("v1"))

	// The same version heard many times, by both paths, is one change.
	for range 3 {
		c.Publish(ctx, "v2")
	}
	eventually(t, time.Second, "v2", v.has("v2"))
	time.Sleep(200 * time.Millisecond) // several checks see v2 again
	// A rollback is a change too.
	c.Publish(ctx, "v1")
	eventually(t, time.Second, "rollback", func() bool { return len(v.get()) == 3 })
	time.Sleep(200 * time.Millisecond)
	if got := v.get(); len(got) != 3 || got[0] != "v1" || got[1] != "v2" || got[2] != "v1" {
		t.Errorf("onVersion calls = %v, want [v1 v2 v1]", got)
	}
}

// After an outage the subscriber resubscribes by itself, and a version
// published while it was away is caught by the check that follows.
func TestSubscribeSurvivesOutage(t *testing.T) {
	requireRedis(t)
	prefix := randomPrefix(t)
	t.Cleanup(func() { deletePrefix(t, prefix) })
	p := newProxy(t)
	// A slow probe: catching up must not wait for the cache to be marked up.
	opts := Options{Timeout: 50 * time.Millisecond, ProbeInterval: time.Minute, CheckInterval: time.Minute, MaxBackoff: 200 * time.Millisecond}
	replica := openCache(t, "redis://"+p.addr+"/0", prefix, opts, nil)
	admin := openCache(t, testRedis, prefix, opts, nil)
	v := subscribe(t, replica, prefix, 1)
	ctx := context.Background()

	admin.Publish(ctx, "v1")
	eventually(t, time.Second, "v1", v.has("v1"))

	p.stop()
	time.Sleep(100 * time.Millisecond)
	admin.Publish(ctx, "v2") // lost: nobody is subscribed
	replica.GetResult(ctx, "k")
	if replica.Available() {
		t.Fatal("replica did not notice the outage")
	}
	p.start()

	start := time.Now()
	eventually(t, 3*time.Second, "v2 after the outage", v.has("v2"))
	t.Logf("caught up %v after Redis came back", time.Since(start))
	admin.Publish(ctx, "v3")
	eventually(t, time.Second, "v3 on the new subscription", v.has("v3"))
}
