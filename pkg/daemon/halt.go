package daemon

import (
	"errors"
	"os"
	"time"
)

// A frozen node writes nothing to its clients, as a stopped daemon writes
// nothing: what it had ordered for them and not yet written stays queued
// until it is thawed, and then comes in order, before the thaw's views.
// Bytes already written stay in the clients' sockets, as a stopped daemon's
// bytes stay in the kernel. The normal write path pays one atomic load per
// batch for this (awaitThaw, flush).

// haltWriters stops (halt true) or resumes the writers of d's sessions. A
// write under way is cut short by a write deadline already past: what it
// had not written goes back to its queue (suspend). Callers hold seq.mu.
func (d *Daemon) haltWriters(halt bool) {
	var deadline time.Time // none: writes wait as long as they need
	if halt {
		thawed := make(chan struct{})
		d.halted.Store(&thawed)
		deadline = time.Unix(1, 0)
	}
	for s := range d.reg.all {
		s.conn.SetWriteDeadline(deadline)
	}
	if !halt {
		// Deadlines are cleared first: a resumed write must not meet one.
		if thawed := d.halted.Swap(nil); thawed != nil {
			close(*thawed)
		}
	}
}

// awaitThaw waits while s's node is frozen. It reports false when the
// session ended meanwhile (a node crashed while frozen cuts its clients).
func (s *session) awaitThaw() bool {
	thawed := s.out.halted.Load()
	if thawed == nil {
		return true
	}
	select {
	case <-*thawed:
	case <-s.done:
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// suspend handles a write of buf[i:j] from off that failed with err after
// writing n bytes: when a freeze cut it short (haltWriters), it accounts
// for what was written, puts the rest back at the front of the queue for
// the thaw and reports true. Any other failure is left to the caller.
func (o *outQueue) suspend(buf [][]byte, counts []chunkMeta, i, j, off, n int, err error) bool {
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing {
		return false // unlink's deadline: the client is gone
	}
	i, off, msgs := releaseWritten(buf[:j], counts, i, off, n)
	if n > 0 {
		o.wrote(msgs, n)
	}
	o.putBack(buf, counts, i, off)
	o.busy = false
	o.signal() // the writer looks again, and waits for the thaw
	return true
}
