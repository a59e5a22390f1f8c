package match

import "sync/atomic"

// Engine holds the Matcher in use. Requests load it with one atomic read;
// a reload compiles a new Matcher off to the side and swaps it in with one
// atomic store, so requests never wait for a reload.
type Engine struct {
	cur atomic.Pointer[Matcher]
}

// NewEngine returns an Engine serving m (nil: not ready yet).
func NewEngine(m *Matcher) *Engine {
	e := &Engine{}
	if m != nil {
		e.cur.Store(m)
	}
	return e
}

// Current returns the Matcher in use, or nil before the first one is set.
func (e *Engine) Current() *Matcher { return e.cur.Load() }

// Swap installs m and returns the previous Matcher.
func (e *Engine) Swap(m *Matcher) *Matcher { return e.cur.Swap(m) }
