package rediscache

import (
	"context"
	"errors"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/redis/go-redis/v9"
)

// Key names under the prefix. The channel name is part of the contract
// with other replicas (and other versions of this code), so it is fixed.
const (
	bundleKey  = "bundle"          // bundle:<version> -> compiled rule-set bundle
	versionKey = "ruleset:version" // the version replicas should run
	channel    = "ruleset"         // announces each newly published version
)

// PutBundle stores a rule-set bundle under its version for Options.BundleTTL
// (days, so replicas starting later and rollbacks still find it).
//
// Errors: EUNAVAILABLE when Redis is down.
func (c *Cache) PutBundle(ctx context.Context, version string, bundle []byte) error {
	if err := checkVersion(version); err != nil {
		return err
	}
	if c.down.Load() {
		return errUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.BundleTimeout)
	defer cancel()
	if err := c.observe(ctx, c.rdb.Set(cctx, c.key(bundleKey, version), bundle, c.opt.BundleTTL).Err()); err != nil {
		return fail("put bundle", err)
	}
	return nil
}

// GetBundle returns the bundle stored for version.
//
// Errors: ENOTFOUND if there is none (expired, or never stored),
// EUNAVAILABLE when Redis is down; the caller then loads from the store.
func (c *Cache) GetBundle(ctx context.Context, version string) ([]byte, error) {
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	if c.down.Load() {
		return nil, errUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.BundleTimeout)
	defer cancel()
	b, err := c.rdb.Get(cctx, c.key(bundleKey, version)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, contextlens.Errorf(contextlens.ENOTFOUND, "no cached bundle for rule set %s", version)
	}
	if err := c.observe(ctx, err); err != nil {
		return nil, fail("get bundle", err)
	}
	return b, nil
}

// SetCurrentVersion records version as current without announcing it.
// Replicas still notice within Options.CheckInterval (Subscribe's check).
//
// Errors: EUNAVAILABLE when Redis is down.
func (c *Cache) SetCurrentVersion(ctx context.Context, version string) error {
	if err := checkVersion(version); err != nil {
		return err
	}
	if c.down.Load() {
		return errUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	if err := c.observe(ctx, c.rdb.Set(cctx, c.key(versionKey), version, 0).Err()); err != nil {
		return fail("set version", err)
	}
	return nil
}

// CurrentVersion returns the version replicas should run.
//
// Errors: ENOTFOUND if none was ever published, EUNAVAILABLE when Redis is
// down.
func (c *Cache) CurrentVersion(ctx context.Context) (string, error) {
	if c.down.Load() {
		return "", errUnavailable
	}
	return c.currentVersion(ctx)
}

// currentVersion reads the version even while the cache is marked down.
// Subscribe uses it right after resubscribing, when Redis has just proved
// reachable but the probe may not have noticed yet.
func (c *Cache) currentVersion(ctx context.Context) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	v, err := c.rdb.Get(cctx, c.key(versionKey)).Result()
	if errors.Is(err, redis.Nil) {
		return "", contextlens.Errorf(contextlens.ENOTFOUND, "no rule set published yet")
	}
	if err := c.observe(ctx, err); err != nil {
		return "", fail("get version", err)
	}
	return v, nil
}

// Publish makes version current and announces it on the channel, in one
// MULTI so no replica can hear of a version that is not yet current. Store
// the bundle (PutBundle) first.
//
// On a Cluster the SET and PUBLISH may be sent apart; the periodic version
// check in Subscribe covers the gap.
//
// Errors: EUNAVAILABLE when Redis is down.
func (c *Cache) Publish(ctx context.Context, version string) error {
	if err := checkVersion(version); err != nil {
		return err
	}
	if c.down.Load() {
		return errUnavailable
	}
	cctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	_, err := c.rdb.TxPipelined(cctx, func(p redis.Pipeliner) error {
		p.Set(cctx, c.key(versionKey), version, 0)
		p.Publish(cctx, c.key(channel), version)
		return nil
	})
	if err := c.observe(ctx, err); err != nil {
		return fail("publish", err)
	}
	return nil
}

// checkVersion refuses an empty version: Subscribe treats "" as "nothing
// seen yet", so publishing it would be silently ignored.
func checkVersion(v string) error {
	if v == "" {
		return contextlens.Errorf(contextlens.EINVALID, "rule-set version is empty")
	}
	return nil
}
