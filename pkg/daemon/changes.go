package daemon

import (
	"sync"
	"sync/atomic"
	"time"
)

// changes tells waiters that a node's state may have moved on: a session
// came, went live or went, a handshake ended, a step ordered something
// (joins, leaves, messages, kills), a finishing session was let go, or a
// session consumed input. Tests wait on it (awaitChange) instead of
// polling. While nobody waits, notifying costs one atomic load: nothing
// is allocated or locked on the per-message path.
type changes struct {
	waiters atomic.Int32 // awaitChange calls under way
	mu      sync.Mutex
	ch      chan struct{} // closed at the next notify; nil until someone waits
}

// notify wakes the waiters. Callers call it after the change, or while
// they hold seq.mu if the change is made under it: a waiter that wakes
// looks at the state under seq.mu, so it sees the whole step.
func (c *changes) notify() {
	if c.waiters.Load() != 0 { // small enough to inline: no call while idle
		c.wake()
	}
}

func (c *changes) wake() {
	c.mu.Lock()
	if c.ch != nil {
		close(c.ch)
		c.ch = nil
	}
	c.mu.Unlock()
}

// next returns a channel closed at the next notify.
func (c *changes) next() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ch == nil {
		c.ch = make(chan struct{})
	}
	return c.ch
}

// awaitChange reports whether cond holds, looking again after every
// change until it does or deadline passes. cond must not hold seq.mu
// when called (it may take it).
func (c *changes) awaitChange(deadline time.Time, cond func() bool) bool {
	c.waiters.Add(1)
	defer c.waiters.Add(-1)
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		// The channel is taken before cond looks: a change made after
		// the look closes it, so none is missed.
		next := c.next()
		if cond() {
			return true
		}
		select {
		case <-next:
		case <-timer.C:
			return cond()
		}
	}
}
