package rediscache

import (
	"context"
	"time"
)

// GetResult returns the cached annotation result stored under key. Any
// failure, including Redis being down, is a miss: the caller annotates
// from memory, which is always correct, just slower.
//
// The caller builds key from a hash of the text and the rule-set version,
// so publishing a new version never serves stale results.
func (c *Cache) GetResult(ctx context.Context, key string) ([]byte, bool) {
	if c.down.Load() {
		return nil, false
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	b, err := c.rdb.Get(cctx, c.key("result", key)).Bytes()
	if c.observe(ctx, err) != nil {
		return nil, false
	}
	return b, true
}

// SetResult stores val under key for ttl. Failures are ignored: a result
// not cached is recomputed next time.
func (c *Cache) SetResult(ctx context.Context, key string, val []byte, ttl time.Duration) {
	if c.down.Load() || ttl <= 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	c.observe(ctx, c.rdb.Set(cctx, c.key("result", key), val, ttl).Err())
}
