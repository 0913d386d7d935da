package daemon

import (
	"net"
	"sync"
	"time"
)

// Outbound frames are copied into pooled chunks and written with one
// writev per batch (write coalescing without a contiguous buffer): nothing
// is ever regrown or copied twice, whatever the message size. A session's
// first chunk is small, so fanning a message out to thousands of idle
// sessions stays cheap; once frames pile up, further chunks are big. A
// session that has nothing pending holds no chunk.
const (
	smallChunk = 32 << 10
	bigChunk   = 256 << 10 // holds the largest legal frame (48+4+143952 bytes)
)

var (
	smallChunks = sync.Pool{New: func() any { b := make([]byte, 0, smallChunk); return &b }}
	bigChunks   = sync.Pool{New: func() any { b := make([]byte, 0, bigChunk); return &b }}
)

// newChunk returns an empty chunk that can hold need bytes.
func newChunk(need int, first bool) []byte {
	switch {
	case first && need <= smallChunk:
		return (*smallChunks.Get().(*[]byte))[:0]
	case need <= bigChunk:
		return (*bigChunks.Get().(*[]byte))[:0]
	default: // a membership message listing thousands of members
		return make([]byte, 0, need)
	}
}

// releaseChunk gives a written chunk back to its pool.
func releaseChunk(b []byte) {
	b = b[:0]
	switch cap(b) {
	case smallChunk:
		smallChunks.Put(&b)
	case bigChunk:
		bigChunks.Put(&b)
	}
}

// appendFrame copies frame to the end of chunks.
func appendFrame(chunks [][]byte, frame []byte) [][]byte {
	if n := len(chunks); n > 0 && cap(chunks[n-1])-len(chunks[n-1]) >= len(frame) {
		chunks[n-1] = append(chunks[n-1], frame...)
		return chunks
	}
	return append(chunks, append(newChunk(len(frame), len(chunks) == 0), frame...))
}

// finishTimeout bounds the last write of a session the client ended.
const finishTimeout = time.Second

// outQueue holds what the sequencer has ordered for one session and its
// writer has not written yet. mu is taken inside seq.mu, never around it.
type outQueue struct {
	mu       sync.Mutex
	pending  [][]byte // chunks of frames ordered, not yet taken by the writer
	spare    [][]byte // the last written batch's slice, reused for pending
	queued   int      // messages pending + being written
	writing  int      // messages in the write in progress
	writes   uint64   // completed writes, to tell progress from a stall
	stalled  bool     // a sender gave up waiting for this session
	closing  bool     // write what is pending, then close
	broken   bool     // a write failed: the peer is gone, output is dropped
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
	o.pending = appendFrame(o.pending, frame)
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
	var iov net.Buffers // WriteTo consumes it; the chunks stay in buf for release
	write := func(buf [][]byte) error {
		iov = append(iov[:0], buf...)
		_, err := iov.WriteTo(s.conn)
		return err
	}
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
				write(buf) // the deadline was set by unlink
			}
			s.close()
			s.d.seq.finished(s)
			return
		}
		if len(buf) == 0 {
			continue
		}
		err := write(buf)
		for i, c := range buf {
			releaseChunk(c)
			buf[i] = nil
		}
		o.mu.Lock()
		o.queued -= o.writing
		o.writing = 0
		o.writes++
		o.stalled = false
		o.spare = buf[:0]
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
