package rediscache

import (
	"context"
	"math"
	"time"

	"github.com/redis/go-redis/v9"
)

// slidingWindow is a sliding-window counter: it keeps counts for the
// current and previous fixed windows in one hash and weighs the previous
// one by how much of it still overlaps the sliding window. Unlike a plain
// fixed window it does not let a client send 2x the limit across a window
// boundary, and it costs one round trip.
//
// Time comes from the Redis server, so replicas with skewed clocks agree.
// A rejected request is not counted, so a client that keeps knocking is
// let in again as soon as the window has slid far enough.
//
// KEYS[1] the limiter hash; ARGV[1] window in ms; ARGV[2] limit.
// Returns {allowed 0|1, current count, previous count, ms into window}.
var slidingWindow = redis.NewScript(`
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cur = math.floor(now / window)
local elapsed = now - cur * window
local curField = tostring(cur)
local prevField = tostring(cur - 1)
local count = tonumber(redis.call('HGET', KEYS[1], curField) or '0')
local prev = tonumber(redis.call('HGET', KEYS[1], prevField) or '0')
if prev * (window - elapsed) / window + count + 1 > limit then
  return {0, count, prev, elapsed}
end
count = redis.call('HINCRBY', KEYS[1], curField, 1)
if redis.call('HLEN', KEYS[1]) > 2 then
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    if f ~= curField and f ~= prevField then redis.call('HDEL', KEYS[1], f) end
  end
end
redis.call('PEXPIRE', KEYS[1], 2 * window)
return {1, count, prev, elapsed}
`)

// Allow counts one request against key's limit per sliding window and
// reports whether it may proceed, how many more would be allowed now, and,
// when refused, how long to wait (for a Retry-After header).
//
// A limit below 1 or a window under a millisecond refuses every request,
// so a partner configured with limit 0 is blocked rather than unlimited.
//
// It fails open: when Redis is down or slow, every request is allowed
// (remaining = limit), because refusing readers for our own outage would be
// worse than briefly not limiting them.
func (c *Cache) Allow(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, remaining int, retryAfter time.Duration) {
	if limit <= 0 || window < time.Millisecond {
		return false, 0, window
	}
	if c.down.Load() {
		return true, limit, 0
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	// The braces are a Cluster hash tag; one key per limiter keeps the
	// script on one slot.
	res, err := slidingWindow.Run(cctx, c.rdb, []string{c.key("rl", "{"+key+"}")},
		window.Milliseconds(), limit).Int64Slice()
	if c.observe(ctx, err) != nil || len(res) != 4 {
		return true, limit, 0
	}
	ok, count, prev, elapsed := res[0] == 1, float64(res[1]), float64(res[2]), float64(res[3])
	w, lim := float64(window.Milliseconds()), float64(limit)
	used := prev*(w-elapsed)/w + count
	if ok {
		return true, max(0, int(lim-used)), 0
	}
	return false, 0, waitFor(count, prev, elapsed, w, lim)
}

// waitFor computes when a refused request would fit: the earliest time at
// which the weighted count plus one is within the limit, assuming nobody
// else is let in meanwhile.
func waitFor(count, prev, elapsed, w, lim float64) time.Duration {
	var ms float64
	if count+1 <= lim {
		// Fits in this window once enough of the previous one slides out:
		// prev*(w-e)/w <= lim-count-1.
		ms = w*(1-(lim-count-1)/prev) - elapsed
	} else {
		// Must wait for the next window, where today's count becomes
		// "previous" and has to decay: count*(w-e)/w <= lim-1.
		ms = (w - elapsed) + w*(1-(lim-1)/count)
	}
	return time.Duration(max(1, math.Ceil(ms))) * time.Millisecond
}
