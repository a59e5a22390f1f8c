package rediscache

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Hash fields of a rule's hit counter.
const (
	fieldLive   = "live"
	fieldShadow = "shadow"
)

// hitKey identifies one counter in the buffer.
type hitKey struct {
	rule   string
	shadow bool
}

// hitBuffer adds up increments in memory between flushes, so counting hits
// costs a map update on the request path and one pipelined round trip per
// FlushInterval, however busy the replica is.
type hitBuffer struct {
	mu     sync.Mutex
	counts map[hitKey]int64
}

func (b *hitBuffer) add(k hitKey, n int64) {
	b.mu.Lock()
	if b.counts == nil {
		b.counts = make(map[hitKey]int64)
	}
	b.counts[k] += n
	b.mu.Unlock()
}

func (b *hitBuffer) take() map[hitKey]int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.counts
	b.counts = nil
	return m
}

// IncrHits adds n hits of ruleID (a shadow rule's hits counted apart). It
// never blocks on Redis: counts are buffered and written every
// Options.FlushInterval; ctx is accepted for symmetry and not used. While
// Redis is down counts keep adding up in memory (one entry per rule) and
// are written when it is back, so short outages lose nothing; counts are
// approximate (a flush that times out after Redis applied it is retried).
func (c *Cache) IncrHits(ctx context.Context, ruleID string, shadow bool, n int64) {
	if n <= 0 || ruleID == "" {
		return
	}
	c.hits.add(hitKey{ruleID, shadow}, n)
}

// Hits returns the flushed hit counts of ruleID.
//
// Errors: EUNAVAILABLE when Redis is down.
func (c *Cache) Hits(ctx context.Context, ruleID string) (live, shadow int64, err error) {
	if c.down.Load() {
		return 0, 0, errUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	vals, err := c.rdb.HMGet(cctx, c.key("hits", ruleID), fieldLive, fieldShadow).Result()
	if err := c.observe(ctx, err); err != nil {
		return 0, 0, fail("hits", err)
	}
	return toInt(vals[0]), toInt(vals[1]), nil
}

// toInt reads an HMGET value: a decimal string, or nil for a missing field.
func toInt(v any) int64 {
	s, _ := v.(string)
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// FlushHits writes buffered hit counts now, in one pipeline. Counts that
// could not be written go back into the buffer. Close calls it; tests and
// graceful shutdown may too.
//
// Errors: EUNAVAILABLE when Redis is down.
func (c *Cache) FlushHits(ctx context.Context) error {
	counts := c.hits.take()
	if len(counts) == 0 {
		return nil
	}
	if c.down.Load() {
		c.restore(counts)
		return errUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	_, err := c.rdb.Pipelined(cctx, func(p redis.Pipeliner) error {
		for k, n := range counts {
			field := fieldLive
			if k.shadow {
				field = fieldShadow
			}
			p.HIncrBy(cctx, c.key("hits", k.rule), field, n)
		}
		return nil
	})
	if err := c.observe(ctx, err); err != nil {
		c.restore(counts)
		return fail("flush hits", err)
	}
	return nil
}

func (c *Cache) restore(counts map[hitKey]int64) {
	c.hits.mu.Lock()
	defer c.hits.mu.Unlock()
	if c.hits.counts == nil {
		c.hits.counts = counts
		return
	}
	for k, n := range counts {
		c.hits.counts[k] += n
	}
}

// flushLoop writes buffered counts every FlushInterval until Close.
func (c *Cache) flushLoop() {
	defer c.wg.Done()
	t := time.NewTicker(c.opt.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			_ = c.FlushHits(context.Background())
		}
	}
}
