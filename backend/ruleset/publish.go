// Package ruleset keeps every replica serving the same published rule set
// and applies editors' changes to it: compile a candidate set off to the
// side, check every live rule's examples against it, write, publish the
// bundle through Redis (or the store when there is no Redis), and swap the
// local engine. Readers never wait for any of it: the engine keeps serving
// the previous Matcher until a new one is ready.
package ruleset

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
)

// Bundle is what a replica loads: the rules of one published version.
// Replicas compile it themselves (compiling is fast and keeps the Redis
// payload a plain, inspectable document).
type Bundle struct {
	Version   string             `json:"version"`
	Rules     []contextlens.Rule `json:"rules"`
	Published time.Time          `json:"published"`
	Publisher string             `json:"publisher"`
}

// BundleCache shares bundles between replicas; *rediscache.Cache implements it.
type BundleCache interface {
	PutBundle(ctx context.Context, version string, bundle []byte) error
	GetBundle(ctx context.Context, version string) ([]byte, error)
	Publish(ctx context.Context, version string) error
	CurrentVersion(ctx context.Context) (string, error)
	Subscribe(ctx context.Context, onVersion func(version string))
}

// Publisher loads, publishes and follows rule-set versions.
type Publisher struct {
	engine *match.Engine
	store  contextlens.RuleStore
	cache  BundleCache // nil: no Redis
	logger *slog.Logger
	// CheckInterval is how often a replica without Redis compares its
	// version with the store's latest publication.
	CheckInterval time.Duration

	publishMu sync.Mutex // one publish at a time in this process
	loadMu    sync.Mutex // one load at a time
}

// NewPublisher wires a Publisher; cache may be nil.
func NewPublisher(engine *match.Engine, store contextlens.RuleStore, cache BundleCache, logger *slog.Logger) *Publisher {
	return &Publisher{engine: engine, store: store, cache: cache, logger: logger, CheckInterval: 3 * time.Second}
}

// Build compiles rules into a Matcher and runs the examples of every live
// and shadow rule against the whole set, so a change that breaks another
// rule is caught before anyone publishes it.
func Build(rules []contextlens.Rule) (*match.Matcher, []match.ExampleFailure, error) {
	m, err := match.Compile(rules, match.CompileOptions{})
	if err != nil {
		return nil, nil, err
	}
	var fails []match.ExampleFailure
	for _, r := range rules {
		if r.Status.Matched() {
			fails = append(fails, match.CheckExamples(m, r)...)
		}
	}
	return m, fails, nil
}

// Publish makes the store's current shadow and live rules the rule set
// every replica serves, and returns the publication. Publishing from two
// replicas at once converges on the newest rules: after announcing its
// version, a publisher reads the store again and publishes anew if the
// rules changed meanwhile, so the last announcement is always of the
// latest committed state.
func (p *Publisher) Publish(ctx context.Context, publisher string) (contextlens.Publication, error) {
	p.publishMu.Lock()
	defer p.publishMu.Unlock()
	var pub contextlens.Publication
	for range 3 {
		rules, err := p.store.MatchedRules(ctx)
		if err != nil {
			return pub, err
		}
		m, err := match.Compile(rules, match.CompileOptions{})
		if err != nil {
			return pub, contextlens.Errorf(contextlens.EINVALID, "the stored rules do not compile: %v", err)
		}
		pub = contextlens.Publication{Version: m.Version(), Rules: m.Stats().Rules, Published: time.Now().UTC(), Publisher: publisher}
		if err := p.store.RecordPublication(ctx, pub); err != nil {
			return pub, err
		}
		p.engine.Swap(m)
		p.announce(ctx, Bundle{Version: pub.Version, Rules: rules, Published: pub.Published, Publisher: publisher})
		again, err := p.store.MatchedRules(ctx)
		if err != nil {
			return pub, err
		}
		if match.VersionOf(again) == pub.Version {
			return pub, nil
		}
	}
	return pub, nil
}

// announce stores the bundle in Redis and tells every replica. A Redis
// outage is logged, not returned: the publication is recorded in the
// store, and replicas without the message catch up from there.
func (p *Publisher) announce(ctx context.Context, b Bundle) {
	if p.cache == nil {
		return
	}
	data, err := json.Marshal(b)
	if err != nil {
		p.logger.Error("encoding bundle", "err", err)
		return
	}
	if err := p.cache.PutBundle(ctx, b.Version, data); err != nil {
		p.logger.Warn("bundle not stored in Redis; replicas will load from the store", "version", b.Version, "err", err)
		return
	}
	if err := p.cache.Publish(ctx, b.Version); err != nil {
		p.logger.Warn("version not announced; replicas will notice on their periodic check", "version", b.Version, "err", err)
	}
}

// Load installs the current published rule set: from Redis when it has
// one, otherwise from the store. It is what a replica does at start-up.
func (p *Publisher) Load(ctx context.Context) error {
	if p.cache != nil {
		if v, err := p.cache.CurrentVersion(ctx); err == nil {
			if err := p.loadVersion(ctx, v); err == nil {
				return nil
			}
		}
	}
	return p.loadFromStore(ctx)
}

// loadVersion installs version v from its Redis bundle.
func (p *Publisher) loadVersion(ctx context.Context, v string) error {
	p.loadMu.Lock()
	defer p.loadMu.Unlock()
	if cur := p.engine.Current(); cur != nil && cur.Version() == v {
		return nil
	}
	data, err := p.cache.GetBundle(ctx, v)
	if err != nil {
		return err
	}
	var b Bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return fmt.Errorf("bundle %s: %w", v, err)
	}
	m, err := match.Compile(b.Rules, match.CompileOptions{})
	if err != nil {
		return fmt.Errorf("bundle %s: %w", v, err)
	}
	if m.Version() != v {
		return fmt.Errorf("bundle %s compiles to version %s", v, m.Version())
	}
	p.engine.Swap(m)
	p.logger.Info("rule set loaded from Redis", "version", v, "rules", m.Stats().Rules)
	return nil
}

// loadFromStore compiles the store's shadow and live rules.
func (p *Publisher) loadFromStore(ctx context.Context) error {
	p.loadMu.Lock()
	defer p.loadMu.Unlock()
	rules, err := p.store.MatchedRules(ctx)
	if err != nil {
		return err
	}
	if cur := p.engine.Current(); cur != nil && cur.Version() == match.VersionOf(rules) {
		return nil
	}
	m, err := match.Compile(rules, match.CompileOptions{})
	if err != nil {
		return err
	}
	p.engine.Swap(m)
	p.logger.Info("rule set loaded from the store", "version", m.Version(), "rules", m.Stats().Rules)
	return nil
}

// Follow keeps this replica on the published version until ctx ends:
// through Redis pub/sub (with its periodic check) when there is Redis,
// and by polling the store's latest publication otherwise.
func (p *Publisher) Follow(ctx context.Context) {
	if p.cache != nil {
		go p.cache.Subscribe(ctx, func(v string) {
			if err := p.loadVersion(ctx, v); err != nil && ctx.Err() == nil {
				p.logger.Warn("loading announced version from Redis failed; loading from the store", "version", v, "err", err)
				if err := p.loadFromStore(ctx); err != nil && ctx.Err() == nil {
					p.logger.Error("loading rules from the store failed; serving the previous rule set", "err", err)
				}
			}
		})
	}
	t := time.NewTicker(p.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// Without Redis (or as a backstop when Redis lost the bundle), the
		// store's latest publication is the truth.
		pub, err := p.store.LatestPublication(ctx)
		if err != nil {
			if !errors.Is(ctx.Err(), context.Canceled) && contextlens.ErrorCode(err) != contextlens.ENOTFOUND {
				p.logger.Debug("checking the latest publication failed", "err", err)
			}
			continue
		}
		if cur := p.engine.Current(); cur == nil || cur.Version() != pub.Version {
			if err := p.loadFromStore(ctx); err != nil && ctx.Err() == nil {
				p.logger.Warn("loading rules from the store failed; serving the previous rule set", "err", err)
			}
		}
	}
}
