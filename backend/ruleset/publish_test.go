package ruleset

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
	"github.com/contextlens/contextlens/backend/match"
	"github.com/contextlens/contextlens/backend/sqlstore"
)

// memBundles is an in-memory BundleCache that can be switched off.
type memBundles struct {
	mu      sync.Mutex
	bundles map[string][]byte
	current string
	down    bool
	subs    []func(string)
}

func newMemBundles() *memBundles { return &memBundles{bundles: map[string][]byte{}} }

func (m *memBundles) PutBundle(_ context.Context, v string, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return contextlens.Errorf(contextlens.EUNAVAILABLE, "down")
	}
	m.bundles[v] = b
	return nil
}

func (m *memBundles) GetBundle(_ context.Context, v string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return nil, contextlens.Errorf(contextlens.EUNAVAILABLE, "down")
	}
	b, ok := m.bundles[v]
	if !ok {
		return nil, contextlens.Errorf(contextlens.ENOTFOUND, "no bundle")
	}
	return b, nil
}

func (m *memBundles) Publish(_ context.Context, v string) error {
	m.mu.Lock()
	if m.down {
		m.mu.Unlock()
		return contextlens.Errorf(contextlens.EUNAVAILABLE, "down")
	}
	m.current = v
	subs := append([]func(string){}, m.subs...)
	m.mu.Unlock()
	for _, f := range subs {
		f(v)
	}
	return nil
}

func (m *memBundles) CurrentVersion(context.Context) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down || m.current == "" {
		return "", contextlens.Errorf(contextlens.ENOTFOUND, "none")
	}
	return m.current, nil
}

func (m *memBundles) Subscribe(ctx context.Context, f func(string)) {
	m.mu.Lock()
	m.subs = append(m.subs, f)
	m.mu.Unlock()
	<-ctx.Done()
}

func liveRule(id, phrase string) contextlens.Rule {
	return contextlens.Rule{
		ID: id, Narrative: "n-" + id, Title: "t", Summary: "s", Explanation: "e", Category: "euphemism",
		Severity: "info", Status: "live", Languages: []string{"en"},
		Match:    contextlens.Match{Phrases: []string{phrase}},
		Sources:  []contextlens.Source{{Title: "x", URL: "https://example.org/", Publisher: "x"}},
		Examples: map[string]contextlens.Examples{"en": {Match: []string{"a " + phrase}, NoMatch: []string{"nothing"}}},
	}
}

func openStore(t *testing.T, path string) *sqlstore.Store {
	s, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var quiet = slog.New(slog.DiscardHandler)

func TestPublishAndLoad(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "db")
	store := openStore(t, db)
	store.Seed(ctx, []contextlens.Rule{liveRule("a", "alpha phrase")}, contextlens.Change{Author: "t"})
	bundles := newMemBundles()
	engA := match.NewEngine(nil)
	pubA := NewPublisher(engA, store, bundles, quiet)
	p, err := pubA.Publish(ctx, "alice")
	if err != nil || p.Rules != 1 || p.Publisher != "alice" || engA.Current().Version() != p.Version {
		t.Fatalf("publish: %+v %v", p, err)
	}
	var b Bundle
	if err := json.Unmarshal(bundles.bundles[p.Version], &b); err != nil || b.Version != p.Version || len(b.Rules) != 1 {
		t.Fatalf("bundle in the cache: %+v %v", b, err)
	}
	if latest, _ := store.LatestPublication(ctx); latest.Version != p.Version {
		t.Errorf("publication not recorded: %+v", latest)
	}

	// Replica B loads from the cache even though its own store is empty:
	// the bundle, not the database, is what it serves.
	engB := match.NewEngine(nil)
	empty := openStore(t, filepath.Join(t.TempDir(), "empty"))
	if err := NewPublisher(engB, empty, bundles, quiet).Load(ctx); err != nil || engB.Current().Version() != p.Version {
		t.Fatalf("load from cache: %v", err)
	}
	// Without the cache, replica C loads from the store.
	bundles.down = true
	engC := match.NewEngine(nil)
	if err := NewPublisher(engC, openStore(t, db), bundles, quiet).Load(ctx); err != nil || engC.Current().Version() != p.Version {
		t.Fatalf("load from store: %v", err)
	}
	// With the cache down, a publish still records and swaps locally.
	store.CreateRule(ctx, liveRule("b", "beta phrase"), contextlens.Change{Author: "t"})
	p2, err := pubA.Publish(ctx, "alice")
	if err != nil || p2.Version == p.Version || engA.Current().Version() != p2.Version {
		t.Fatalf("publish with the cache down: %+v %v", p2, err)
	}
}

func TestFollowSwapsOnAnnouncement(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := filepath.Join(t.TempDir(), "db")
	storeA, storeB := openStore(t, db), openStore(t, db)
	storeA.Seed(ctx, []contextlens.Rule{liveRule("a", "alpha phrase")}, contextlens.Change{Author: "t"})
	bundles := newMemBundles()
	engA, engB := match.NewEngine(nil), match.NewEngine(nil)
	pubA, pubB := NewPublisher(engA, storeA, bundles, quiet), NewPublisher(engB, storeB, bundles, quiet)
	pubA.Publish(ctx, "x")
	pubB.Load(ctx)
	go pubB.Follow(ctx)
	time.Sleep(20 * time.Millisecond) // let B subscribe
	storeA.CreateRule(ctx, liveRule("b", "beta phrase"), contextlens.Change{Author: "t"})
	p, _ := pubA.Publish(ctx, "x")
	deadline := time.Now().Add(time.Second)
	for engB.Current().Version() != p.Version {
		if time.Now().After(deadline) {
			t.Fatal("replica B did not follow the announcement")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFollowWithoutRedisPollsTheStore(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := filepath.Join(t.TempDir(), "db")
	storeA, storeB := openStore(t, db), openStore(t, db)
	storeA.Seed(ctx, []contextlens.Rule{liveRule("a", "alpha phrase")}, contextlens.Change{Author: "t"})
	engA, engB := match.NewEngine(nil), match.NewEngine(nil)
	pubA, pubB := NewPublisher(engA, storeA, nil, quiet), NewPublisher(engB, storeB, nil, quiet)
	pubA.Publish(ctx, "x")
	pubB.Load(ctx)
	pubB.CheckInterval = 20 * time.Millisecond
	go pubB.Follow(ctx)
	storeA.CreateRule(ctx, liveRule("b", "beta phrase"), contextlens.Change{Author: "t"})
	p, _ := pubA.Publish(ctx, "x")
	deadline := time.Now().Add(2 * time.Second)
	for engB.Current().Version() != p.Version {
		if time.Now().After(deadline) {
			t.Fatal("replica B did not catch up from the store")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestConcurrentPublishersConverge: two publishers racing on one store end
// with every replica on the version of the latest committed rules.
func TestConcurrentPublishersConverge(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "db")
	storeA, storeB := openStore(t, db), openStore(t, db)
	bundles := newMemBundles()
	pubA := NewPublisher(match.NewEngine(nil), storeA, bundles, quiet)
	pubB := NewPublisher(match.NewEngine(nil), storeB, bundles, quiet)
	var wg sync.WaitGroup
	for i, pub := range []*Publisher{pubA, pubB} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			store := []*sqlstore.Store{storeA, storeB}[i]
			for k := range 5 {
				id := string(rune('a'+i)) + string(rune('0'+k))
				store.CreateRule(ctx, liveRule(id, "phrase "+id), contextlens.Change{Author: "t"})
				if _, err := pub.Publish(ctx, "x"); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	rules, _ := storeA.MatchedRules(ctx)
	want := match.VersionOf(rules)
	if got, _ := bundles.CurrentVersion(ctx); got != want {
		t.Errorf("announced version %s, latest rules are %s", got, want)
	}
}

func TestCheckRuleListsProblems(t *testing.T) {
	r := liveRule("x", "some phrase")
	r.Examples["en"] = contextlens.Examples{Match: []string{"no"}, NoMatch: []string{"some phrase"}}
	err := CheckRule(r)
	e, ok := err.(*contextlens.Error)
	if !ok || e.Code != contextlens.EINVALID {
		t.Fatalf("CheckRule: %v", err)
	}
	fails := e.Details.(map[string]any)["examples"].([]match.ExampleFailure)
	if len(fails) != 2 {
		t.Errorf("failures %+v", fails)
	}
}
