package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// A barrier (Ring.Sync) asks every live session's reader to read what the
// kernel already holds for it and to order it. The reader may be blocked
// in a read: the barrier wakes it with a read deadline in the past, and
// the reader, before it blocks again, reads without waiting until a read
// finds nothing. Every frame read before that empty read has been ordered
// by then, because the reader orders each read's frames before it reads
// again.

// syncRequests are the barriers waiting for one session's reader.
type syncRequests struct {
	waiting atomic.Bool // a barrier has registered since the reader last looked
	mu      sync.Mutex
	acks    []chan struct{}
	ended   bool // the reader has returned: nothing more comes from the session
}

// add registers a barrier's ack; false when the reader has already ended.
func (r *syncRequests) add(ack chan struct{}) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended {
		return false
	}
	r.acks = append(r.acks, ack)
	r.waiting.Store(true)
	return true
}

// take moves the registered acks to into.
func (r *syncRequests) take(into []chan struct{}) []chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waiting.Store(false)
	into = append(into, r.acks...)
	clear(r.acks)
	r.acks = r.acks[:0]
	return into
}

// end acks the barriers the reader holds and every one registered or
// still to come: the reader has returned, so its session is done.
func (r *syncRequests) end(held []chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ended = true
	for _, ack := range held {
		close(ack)
	}
	for _, ack := range r.acks {
		close(ack)
	}
	r.acks = nil
}

// longAgo is a read deadline in the past: it wakes a blocked reader.
var longAgo = time.Unix(1, 0)

// Sync is a barrier: it returns once every byte that any client of any
// node wrote to its connection before the call (a Flush that returned, a
// Join, Leave or Disconnect) has been read by its node and ordered, in the
// configuration its node is in when it is read. A fault applied after
// Sync returns therefore comes after those messages in every member's
// order: a line multicast and flushed on each side of a partition, then
// Sync, then Heal, is delivered before the merge view, on its own side
// only.
//
// What counts is what the kernel has handed to the daemon's socket when
// the reader looks: a Unix-socket client's flushed bytes always are; a
// TCP client's are too, except bytes that still wait in the client's send
// buffer because the node's receive buffer was full (a client megabytes
// ahead of its node). Sync also waits for
// a reader held back by a slow receiver (see Config.MaxSessionMessages),
// and for the nodes a pending timed change stalls (FaultTiming), which
// order nothing until it is told; it does not wait for a frozen node's
// clients (Ring.Freeze). ctx bounds the wait. It fails with ErrRingStopped on a closed ring.
func (r *Ring) Sync(ctx context.Context) error {
	acks, err := r.seq.requestSync(nil)
	if err != nil {
		return err
	}
	for _, ack := range acks {
		select {
		case <-ack:
		case <-ctx.Done():
			return fmt.Errorf("daemon: ring sync: %w", ctx.Err())
		}
	}
	return nil
}

// requestSync registers a barrier with every live session's reader (of
// node only, unless it is nil) and wakes the readers.
func (q *sequencer) requestSync(node *Daemon) ([]chan struct{}, error) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil, &FaultError{Msg: "ring is stopped: no sync", Err: ErrRingStopped}
	}
	var acks []chan struct{}
	var wake []*session
	for _, d := range q.nodes {
		if d.frozen || (node != nil && d != node) {
			continue // a frozen node reads nothing until thawed
		}
		for s := range d.reg.all {
			if s.state != stateLive {
				continue
			}
			ack := make(chan struct{})
			if s.syncs.add(ack) {
				acks = append(acks, ack)
				wake = append(wake, s)
			}
		}
	}
	q.mu.Unlock()
	// After add: a reader that took its barriers before this deadline is
	// woken again, and one that looks after it sees waiting.
	for _, s := range wake {
		s.conn.SetReadDeadline(longAgo)
	}
	return acks, nil
}

// read waits for more bytes for a frame of need bytes, serving barriers
// first (held are the barriers taken but not yet acked). A deadline met in
// a blocking read is a barrier's wake-up, not an error; it is cleared, or
// a wake-up whose barrier was served already would make every later read
// fail at once.
func (s *session) read(need int, held *[]chan struct{}) error {
	for {
		if len(*held) > 0 || s.syncs.waiting.Load() {
			got, err := s.syncRead(need, held)
			if err != nil || got {
				return err
			}
			continue
		}
		err := s.in.fill(need)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		// A barrier that wakes the reader registered first: the check
		// above sees it whether it set its deadline before or after this.
		s.conn.SetReadDeadline(time.Time{})
	}
}

// syncRead takes the waiting barriers and reads without waiting. When the
// read finds nothing, and no barrier came meanwhile, everything read
// before is ordered and it acks the barriers it holds; when bytes came,
// the caller orders them and calls again.
func (s *session) syncRead(need int, held *[]chan struct{}) (got bool, err error) {
	s.conn.SetReadDeadline(time.Time{}) // before take: see requestSync
	*held = s.syncs.take(*held)
	got, err = s.in.tryFill(need)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return false, nil // a newer barrier's wake-up: look again
	case err != nil || got:
		return got, err
	case s.syncs.waiting.Load():
		return false, nil
	}
	for _, ack := range *held {
		close(ack)
	}
	clear(*held)
	*held = (*held)[:0]
	return false, nil
}
