package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contextlens/contextlens/backend/contextlens"
)

// testConcurrentUpdates has many editors update one rule at once, each
// reading it, changing it and writing it back, retrying on ESTALE. No write
// may be lost: every success is one revision, numbered without gaps.
func testConcurrentUpdates(t *testing.T, s *Store) { hammer(t, 20, 25, s) }

// hammer runs the concurrent read-modify-write workload: workers goroutines
// each make perWorker successful updates. Worker w uses stores[w %
// len(stores)], so several stores can share one database.
func hammer(t *testing.T, workers, perWorker int, stores ...*Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := stores[0]
	must(s.CreateRule(ctx, testRule("hot"), testChange)).on(t)

	var conflicts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	for w := range workers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for done := 0; done < perWorker; {
				cur, err := s.GetRule(ctx, "hot")
				if err != nil {
					errs <- err
					return
				}
				r := cur.Rule
				r.Summary = fmt.Sprintf("w%d-%d", w, done)
				c := contextlens.Change{Author: fmt.Sprintf("w%d", w), Message: r.Summary}
				_, err = s.UpdateRule(ctx, r, cur.Revision, c)
				if contextlens.ErrorCode(err) == contextlens.ESTALE {
					conflicts.Add(1)
					continue
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
				done++
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	writes := workers * perWorker
	revs := must(s.Revisions(ctx, "hot")).on(t)
	if len(revs) != 1+writes {
		t.Errorf("%d revisions, want %d (creation + %d updates)", len(revs), 1+writes, writes)
	}
	messages := map[string]bool{}
	for i, rev := range revs {
		if rev.Number != i+1 {
			t.Fatalf("revision at %d is numbered %d, want %d: a gap or duplicate", i, rev.Number, i+1)
		}
		if i > 0 {
			if messages[rev.Message] || rev.Rule.Summary != rev.Message {
				t.Errorf("revision %d: message %q recorded twice or content %q does not match", rev.Number, rev.Message, rev.Rule.Summary)
			}
			messages[rev.Message] = true
		}
	}
	if len(messages) != writes {
		t.Errorf("%d distinct writes recorded, want %d", len(messages), writes)
	}
	final := must(s.GetRule(ctx, "hot")).on(t)
	if final.Revision != 1+writes || final.Rule.Summary != revs[len(revs)-1].Rule.Summary {
		t.Errorf("final revision %d (%q), want %d with the last revision's content", final.Revision, final.Rule.Summary, 1+writes)
	}
	t.Logf("%s, %d store(s): %d workers x %d updates = %d writes, %d ESTALE conflicts retried, %v (%.0f writes/s)",
		s.Driver(), len(stores), workers, perWorker, writes, conflicts.Load(), elapsed.Round(time.Millisecond), float64(writes)/elapsed.Seconds())
}
