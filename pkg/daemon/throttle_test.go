package daemon

import (
	"io"
	"runtime"
	"testing"
	"time"
)

// TestThrottleReleasedWhenOutputDropped: a sender waiting for a congested
// receiver is released as soon as a failed write drops the receiver's
// queue (the peer is gone: queued falls to 0), not after stallTimeout.
// Regression: the writer's failed-write path zeroed queued without waking
// the waiters, so a sender that had started waiting after the writer's
// last completed slice (the messages queued during that batch keeping it
// above the low mark) slept on until its stall timer. When the receiver's
// own reader is that sender (a client sending to a group it is in, then
// closing with unread input), nothing else ends the wait.
//
// The test plays the writer at its failed write; the waiter is the real
// one.
func TestThrottleReleasedWhenOutputDropped(t *testing.T) {
	const limit = 100
	const low = limit / 4
	r := &session{done: make(chan struct{})}
	r.out.init(nil)
	for i := 0; i <= low; i++ {
		if _, _, ok := r.out.enqueue([]byte("m"), nil, limit, false); !ok {
			t.Fatal("enqueue refused a frame under the limit")
		}
	}
	// The sender's client has closed: nothing to read ahead, so the waiter
	// goes straight to waiting for r.
	s := &session{}
	var readErr error = io.EOF
	released := make(chan struct{})
	go func() {
		defer close(released)
		s.waitFor(r, low, &readErr)
	}()
	// The waiter has checked queued and is waiting once it has made r's
	// progress channel (only a write or the drop closes it).
	for armed := false; !armed; runtime.Gosched() {
		r.out.mu.Lock()
		armed = r.out.progress != nil
		r.out.mu.Unlock()
	}

	r.out.mu.Lock()
	r.out.drop()
	r.out.mu.Unlock()

	// Not a timing assumption: r.done stays open and no write follows, so
	// the waiter's only ways out are the drop's wakeup (at once) and its
	// stall timer (stallTimeout, 1 s). Any bound well below stallTimeout
	// tells them apart; 200 ms leaves a loaded machine ample room to
	// schedule the woken waiter.
	select {
	case <-released:
	case <-time.After(200 * time.Millisecond):
		<-released // its stall timer ends it
		t.Fatalf("a sender waiting for a receiver whose output was dropped was not released until its %v stall timer", stallTimeout)
	}
	if r.out.stalled {
		t.Fatal("the receiver was marked stalled: the waiter timed out instead of being woken")
	}
}
