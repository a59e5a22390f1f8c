package rediscache

import (
	"context"
	"testing"
	"time"
)

func TestResultCache(t *testing.T) {
	c, _ := newTestCache(t, Options{})
	ctx := context.Background()
	if _, ok := c.GetResult(ctx, "h1:v1"); ok {
		t.Fatal("hit on an empty cache")
	}
	c.SetResult(ctx, "h1:v1", []byte(`{"annotations":[]}`), time.Minute)
	if got, ok := c.GetResult(ctx, "h1:v1"); !ok || string(got) != `{"annotations":[]}` {
		t.Errorf("GetResult = %q, %v", got, ok)
	}
	if _, ok := c.GetResult(ctx, "h1:v2"); ok {
		t.Error("a result for another rule-set version was served")
	}
	c.SetResult(ctx, "short", []byte("x"), 50*time.Millisecond)
	time.Sleep(120 * time.Millisecond)
	if _, ok := c.GetResult(ctx, "short"); ok {
		t.Error("result outlived its ttl")
	}
	// An empty value is a value, not a miss.
	c.SetResult(ctx, "empty", []byte{}, time.Minute)
	if got, ok := c.GetResult(ctx, "empty"); !ok || len(got) != 0 {
		t.Errorf("empty value: %q, %v", got, ok)
	}
}

func TestHits(t *testing.T) {
	c, _ := newTestCache(t, Options{FlushInterval: time.Hour})
	ctx := context.Background()
	c.IncrHits(ctx, "energy-crisis", false, 2)
	c.IncrHits(ctx, "energy-crisis", false, 3)
	c.IncrHits(ctx, "energy-crisis", true, 1)
	c.IncrHits(ctx, "other", true, 4)
	c.IncrHits(ctx, "other", true, 0) // ignored
	if live, shadow, _ := c.Hits(ctx, "energy-crisis"); live != 0 || shadow != 0 {
		t.Errorf("before flush: %d/%d, want buffered 0/0", live, shadow)
	}
	if err := c.FlushHits(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rule         string
		live, shadow int64
	}{{"energy-crisis", 5, 1}, {"other", 0, 4}, {"none", 0, 0}} {
		live, shadow, err := c.Hits(ctx, tt.rule)
		if err != nil || live != tt.live || shadow != tt.shadow {
			t.Errorf("Hits(%s) = %d, %d, %v; want %d, %d", tt.rule, live, shadow, err, tt.live, tt.shadow)
		}
	}
}

func TestHitsFlushedInBackground(t *testing.T) {
	c, _ := newTestCache(t, Options{FlushInterval: 20 * time.Millisecond})
	ctx := context.Background()
	c.IncrHits(ctx, "r", false, 1)
	eventually(t, time.Second, "background flush", func() bool { live, _, _ := c.Hits(ctx, "r"); return live == 1 })
}

func BenchmarkIncrHits(b *testing.B) {
	c := &Cache{}
	for i := 0; b.Loop(); i++ {
		c.IncrHits(context.Background(), "rule", i%2 == 0, 1)
	}
}
