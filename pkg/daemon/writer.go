package daemon

import (
	"sync"
	"time"
)

// Outbound buffers: a session that is still busy after a write keeps the
// written buffer for its next batch; one that has nothing pending gives it
// to a shared pool, so idle sessions hold no outbound memory. Buffers
// larger than keepOutbuf are left to the GC.
const (
	keepOutbuf = 4 << 20
	newOutbuf  = 64 << 10
)

var outbufPool = sync.Pool{New: func() any { b := make([]byte, 0, newOutbuf); return &b }}

func getOutbuf() []byte { return (*outbufPool.Get().(*[]byte))[:0] }

func putOutbuf(b []byte) {
	b = b[:0]
	outbufPool.Put(&b)
}

// finishTimeout bounds the last write of a session the client ended.
const finishTimeout = time.Second

// outQueue holds what the sequencer has ordered for one session and its
// writer has not written yet. mu is taken inside seq.mu, never around it.
type outQueue struct {
	mu       sync.Mutex
	pending  []byte // frames ordered, not yet taken by the writer
	spare    []byte // the last written buffer, reused
	queued   int    // messages pending + being written
	writing  int    // messages in the write in progress
	writes   uint64 // completed writes, to tell progress from a stall
	stalled  bool   // a sender gave up waiting for this session
	closing  bool   // write what is pending, then close
	broken   bool   // a write failed: the peer is gone, output is dropped
	progress chan struct{}
	wake     chan struct{} // cap 1: pending became non-empty
}

func (o *outQueue) init() { o.wake = make(chan struct{}, 1) }

// finish asks the writer to write what is queued and then close. It
// reports false when the writer has already stopped (a failed write): the
// caller closes the connection itself.
func (o *outQueue) finish() bool {
	o.mu.Lock()
	o.closing = true
	gone := o.broken
	o.mu.Unlock()
	if gone {
		return false
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return true
}

// enqueue appends one frame unless limit messages are already waiting. It
// returns the number now queued and whether the frame was taken.
func (o *outQueue) enqueue(frame []byte, limit int) (queued int, stalled, ok bool) {
	o.mu.Lock()
	if o.broken {
		o.mu.Unlock()
		return 0, false, true
	}
	if o.queued >= limit {
		o.mu.Unlock()
		return o.queued, false, false
	}
	wasEmpty := len(o.pending) == 0
	if o.pending == nil {
		o.pending = getOutbuf()
	}
	o.pending = append(o.pending, frame...)
	o.queued++
	queued, stalled = o.queued, o.stalled
	o.mu.Unlock()
	if wasEmpty {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
	return queued, stalled, true
}

// writeLoop is the session's writer goroutine: it writes everything
// pending with one call (write coalescing) until the session ends.
func (s *session) writeLoop() {
	defer s.d.wg.Done()
	o := &s.out
	for {
		select {
		case <-o.wake:
		case <-s.done:
			return
		}
		o.mu.Lock()
		buf := o.pending
		o.pending = o.spare[:0]
		o.spare = nil
		o.writing = o.queued
		finish := o.closing
		o.mu.Unlock()
		if finish {
			// Everything is queued already: the session is removed.
			if len(buf) > 0 {
				s.conn.Write(buf) // the deadline was set by unlink
			}
			s.close()
			s.d.seq.finished(s)
			return
		}
		if len(buf) == 0 {
			continue
		}
		_, err := s.conn.Write(buf)
		o.mu.Lock()
		o.queued -= o.writing
		o.writing = 0
		o.writes++
		o.stalled = false
		if cap(buf) <= keepOutbuf {
			if len(o.pending) > 0 {
				o.spare = buf[:0]
			} else {
				putOutbuf(buf)
			}
		}
		if o.progress != nil {
			close(o.progress)
			o.progress = nil
		}
		o.mu.Unlock()
		if err != nil {
			o.mu.Lock()
			closing := o.closing
			o.broken, o.pending, o.queued = true, nil, 0
			o.mu.Unlock()
			if closing { // ended while this write blocked
				s.close()
				s.d.seq.finished(s)
				return
			}
			// The peer is gone, but what it sent before going is still to
			// be read and ordered (a client that exits with unread input
			// makes our writes fail first). The reader ends the session at
			// the end of its input; until then output is dropped.
			s.d.log.Debug("write failed", "session", s.pgroup, "err", err.Error())
			return
		}
	}
}
