//go:build !race

// The race detector makes sync.Pool drop items at random, so counts of
// allocations mean nothing under it.

package match

import (
	"math/rand/v2"
	"testing"
)

// TestAllocationsDoNotGrowWithHits: annotating allocates the result (its
// slices, ids and cards) and nothing per hit, so ten times the text and
// the hits costs the same number of allocations (issue 6).
func TestAllocationsDoNotGrowWithHits(t *testing.T) {
	m := mustCompile(t, denseRules(1000, 100)...)
	counts := map[int]float64{}
	for _, size := range []int{20 << 10, 200 << 10} {
		text := genProse(rand.New(rand.NewPCG(3, 4)), size)
		res, _ := m.Annotate(text, Options{Lang: "en"})
		if len(res.Annotations) < size/200 {
			t.Fatalf("%d bytes: only %d annotations; the text is not dense", size, len(res.Annotations))
		}
		counts[size] = testing.AllocsPerRun(5, func() { m.Annotate(text, Options{Lang: "en"}) })
	}
	if counts[200<<10] > counts[20<<10] || counts[20<<10] > 16 {
		t.Errorf("allocations per call: %v at 20 KB, %v at 200 KB; want the same, at most 16", counts[20<<10], counts[200<<10])
	}
}
