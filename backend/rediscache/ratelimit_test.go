package rediscache

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestAllow(t *testing.T) {
	c, prefix := newTestCache(t, Options{})
	ctx := context.Background()
	const window = 400 * time.Millisecond

	// Start just after a window boundary so the first burst sits in one
	// window and the arithmetic below is exact.
	time.Sleep(window - time.Duration(time.Now().UnixMilli()%window.Milliseconds())*time.Millisecond + 5*time.Millisecond)
	for i, wantRemaining := range []int{2, 1, 0} {
		ok, rem, retry := c.Allow(ctx, "partner-a", 3, window)
		if !ok || rem != wantRemaining || retry != 0 {
			t.Fatalf("request %d: Allow = %v, %d, %v; want true, %d, 0", i+1, ok, rem, retry, wantRemaining)
		}
	}
	ok, rem, retry := c.Allow(ctx, "partner-a", 3, window)
	if ok || rem != 0 || retry <= 0 || retry > 2*window {
		t.Fatalf("4th request: Allow = %v, %d, %v; want refused with 0 < retry <= %v", ok, rem, retry, 2*window)
	}
	if ok, _, _ := c.Allow(ctx, "partner-b", 3, window); !ok {
		t.Error("another key was limited")
	}
	// Refused requests are not counted, so waiting retryAfter is enough.
	time.Sleep(retry + 20*time.Millisecond)
	if ok, _, retry2 := c.Allow(ctx, "partner-a", 3, window); !ok {
		t.Errorf("refused again after waiting the advertised %v (retry %v)", retry, retry2)
	}

	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()
	if ttl := rdb.PTTL(ctx, prefix+"rl:{partner-a}").Val(); ttl <= 0 || ttl > 2*window {
		t.Errorf("limiter key TTL = %v, want (0, %v]", ttl, 2*window)
	}
}

// The sliding window must not allow a burst of 2x the limit across a
// window boundary, which a fixed window would.
func TestAllowNoDoubleBurst(t *testing.T) {
	c, _ := newTestCache(t, Options{})
	ctx := context.Background()
	const window = 500 * time.Millisecond
	// Fill the limit late in one window ...
	time.Sleep(window - time.Duration(time.Now().UnixMilli()%window.Milliseconds())*time.Millisecond - 60*time.Millisecond)
	allowed := 0
	for range 10 {
		if ok, _, _ := c.Allow(ctx, "k", 10, window); ok {
			allowed++
		}
	}
	// ... then try again just after the boundary.
	time.Sleep(100 * time.Millisecond)
	for range 10 {
		if ok, _, _ := c.Allow(ctx, "k", 10, window); ok {
			allowed++
		}
	}
	if allowed > 12 {
		t.Errorf("%d requests allowed within ~100ms across a boundary, limit 10 per %v", allowed, window)
	}
}

func TestAllowBadArguments(t *testing.T) {
	c := &Cache{}
	if ok, _, _ := c.Allow(context.Background(), "k", 0, time.Minute); ok {
		t.Error("limit 0 allowed a request")
	}
}

func TestWaitFor(t *testing.T) {
	const w = 1000.0
	for _, tt := range []struct {
		name                      string
		count, prev, elapsed, lim float64
		want                      time.Duration
	}{
		// Full this window: wait for it to end, then for 1/3 of the next
		// so 3*(1-e) <= 2.
		{"current window full", 3, 0, 400, 3, 600*time.Millisecond + 334*time.Millisecond},
		// Room in this window, but the previous one still weighs 3*0.9.
		{"previous window heavy", 1, 3, 100, 3, 567 * time.Millisecond},
	} {
		if got := waitFor(tt.count, tt.prev, tt.elapsed, w, tt.lim); got != tt.want {
			t.Errorf("%s: waitFor = %v, want %v", tt.name, got, tt.want)
		}
	}
}
