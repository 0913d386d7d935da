package daemon

import (
	"math/bits"
	"net"
	"sync"
	"sync/atomic"
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

// shareMin is the size from which a data message is copied once for all
// its recipients instead of once into each recipient's queue.
const shareMin = 16 << 10

// sharedFrame is one message queued for several sessions: its bytes are
// read-only once made, refs counts the queues holding it (and its maker,
// until it has queued it everywhere).
type sharedFrame struct {
	b    []byte
	bufp *[]byte // b's buffer, from readBufs
	refs atomic.Int32
}

var sharedFrames = sync.Pool{New: func() any { return new(sharedFrame) }}

// newSharedFrame copies frame, with one reference for the caller.
func newSharedFrame(frame []byte) *sharedFrame {
	sf := sharedFrames.Get().(*sharedFrame)
	sf.bufp = getReadBuf(1 << bits.Len(uint(len(frame)-1)))
	sf.b = (*sf.bufp)[:copy(*sf.bufp, frame)]
	sf.refs.Store(1)
	return sf
}

func (sf *sharedFrame) release() {
	if sf.refs.Add(-1) == 0 {
		putReadBuf(sf.bufp)
		sf.b, sf.bufp = nil, nil
		sharedFrames.Put(sf)
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

// maxSlice bounds one writev: the writer accounts for what it has written
// after each slice, so a reader that reads steadily, however slowly, shows
// progress at least every maxSlice bytes (a batch can hold hundreds of
// megabytes: the back-pressure cannot tell a blocked batch that is moving
// from a stalled reader otherwise). A chunk is never split.
const maxSlice = 1 << 20

// outQueue holds what the sequencer has ordered for one session and not
// yet written. mu is taken inside seq.mu, never around it.
//
// One write at a time is under way (busy): the session's writer
// goroutine's, or a sender's. A sender's reader, at the end of each read
// it has ordered, writes what it queued for each recipient in place
// (flush), without waiting, when that recipient has no write under way:
// no hand-off to another goroutine for a recipient that keeps up. What the
// socket does not take at once goes to the recipient's writer goroutine,
// so a slow recipient never holds up a sender or the others.
type outQueue struct {
	mu         sync.Mutex
	pending    [][]byte    // chunks of frames ordered, not yet written
	counts     []chunkMeta // what each pending chunk holds
	off        int         // bytes of pending[0] already written
	spare      [][]byte    // the last written batch's slice, reused for pending
	spareCount []chunkMeta // likewise for counts
	queued     int         // messages pending + being written
	writes     uint64      // completed write slices, to tell progress from a stall
	written    uint64      // bytes written to the client (Status)
	busy       bool        // a write is under way
	stalled    bool        // a sender gave up waiting for this session
	closing    bool        // write what is pending, then close
	broken     bool        // a write failed: the peer is gone, output is dropped
	progress   chan struct{}
	wake       chan struct{}                  // cap 1: the writer has work
	raw        *rawWriter                     // writes in place without waiting; nil: only the writer writes
	halted     *atomic.Pointer[chan struct{}] // the node's Daemon.halted
}

// neverHalted is the halt of a queue that belongs to no node.
var neverHalted atomic.Pointer[chan struct{}]

func (o *outQueue) init(c net.Conn) {
	o.wake = make(chan struct{}, 1)
	o.raw = newRawWriter(c)
	o.halted = &neverHalted
}

// signal wakes the writer goroutine.
func (o *outQueue) signal() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// chunkMeta is what one pending chunk holds: msgs messages, and, for a
// shared frame, the frame (the chunk is its bytes, not this session's).
type chunkMeta struct {
	msgs   int
	shared *sharedFrame
}

// release gives a written or dropped chunk back.
func (m chunkMeta) release(b []byte) {
	if m.shared != nil {
		m.shared.release()
		return
	}
	releaseChunk(b)
}

// push appends frame to pending, counting msgs messages for it (0 for the
// accept, which is not a message). Callers hold mu or own o.
func (o *outQueue) push(frame []byte, msgs int) {
	n := len(o.pending)
	if n > 0 && o.counts[n-1].shared != nil {
		// Never append to a shared frame: start a chunk of our own.
		o.pending = append(o.pending, append(newChunk(len(frame), false), frame...))
	} else {
		o.pending = appendFrame(o.pending, frame)
	}
	if len(o.pending) > n {
		o.counts = append(o.counts, chunkMeta{msgs: msgs})
	} else {
		o.counts[n-1].msgs += msgs
	}
}

// pushShared appends one message that several sessions share.
func (o *outQueue) pushShared(sf *sharedFrame) {
	sf.refs.Add(1)
	o.pending = append(o.pending, sf.b)
	o.counts = append(o.counts, chunkMeta{msgs: 1, shared: sf})
}

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
	o.signal()
	return true
}

// enqueue appends one frame unless limit messages are already waiting. It
// returns the number now queued and whether the frame was taken. With
// wake false the caller flushes o after its step instead.
// sf, when not nil, holds frame: it is queued by reference.
func (o *outQueue) enqueue(frame []byte, sf *sharedFrame, limit int, wake bool) (queued int, stalled, ok bool) {
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
	if sf != nil {
		o.pushShared(sf)
	} else {
		o.push(frame, 1)
	}
	o.queued++
	queued, stalled = o.queued, o.stalled
	o.mu.Unlock()
	if wake && wasEmpty {
		o.signal()
	}
	return queued, stalled, true
}

// take hands what is pending to a write: the caller is busy until done.
// Callers hold mu.
func (o *outQueue) take() (buf [][]byte, counts []chunkMeta, off int) {
	buf, counts, off = o.pending, o.counts, o.off
	o.pending, o.counts, o.off = o.spare[:0], o.spareCount[:0], 0
	o.spare, o.spareCount = nil, nil
	o.busy = true
	return buf, counts, off
}

// wrote accounts for size bytes, completing msgs messages, just written.
// Callers hold mu.
func (o *outQueue) wrote(msgs, size int) {
	o.queued -= msgs
	o.writes++
	o.written += uint64(size)
	o.stalled = false
	o.wakeWaiters()
}

// wakeWaiters releases the senders waiting for o (waitFor) to look again:
// every change that can end their wait (a completed write, a drop) calls
// it. Callers hold mu.
func (o *outQueue) wakeWaiters() {
	if o.progress != nil {
		close(o.progress)
		o.progress = nil
	}
}

// drop ends output after a failed write: the peer is gone, what is
// pending is dropped and nothing more is queued. Senders waiting for o are
// released: queued is 0, and no write will wake them. Callers hold mu.
func (o *outQueue) drop() {
	// Dropped shared frames are left to the garbage collector.
	o.broken, o.pending, o.counts, o.off, o.queued = true, nil, nil, 0, 0
	o.busy = false
	o.wakeWaiters()
}

// flush writes what is pending in place (see outQueue), never waiting.
func (o *outQueue) flush() {
	o.mu.Lock()
	if o.busy || o.broken || len(o.pending) == 0 {
		// A busy writer looks at pending again when its write is done.
		o.mu.Unlock()
		return
	}
	if o.closing || o.raw == nil || o.halted.Load() != nil {
		// A frozen node's writer waits for the thaw (halt.go).
		o.mu.Unlock()
		o.signal()
		return
	}
	buf, counts, off := o.take()
	o.mu.Unlock()

	// A failed write is left to the writer, which meets the error again
	// and knows what to do with it.
	j := nextSlice(buf, 0)
	n, _ := o.raw.tryWrite(buf[:j], off)
	i, off, msgs := releaseWritten(buf[:j], counts, 0, off, n)

	o.mu.Lock()
	o.busy = false
	if n > 0 {
		o.wrote(msgs, n)
	}
	if i < len(buf) {
		o.putBack(buf, counts, i, off)
	} else {
		o.spare, o.spareCount = buf[:0], counts[:0]
	}
	more := len(o.pending) > 0 || o.closing
	o.mu.Unlock()
	if more {
		o.signal()
	}
}

// releaseWritten gives back the chunks of buf, from chunk i at offset off,
// that a write of n bytes completed. It returns where the unwritten rest
// starts and the messages the completed chunks held.
func releaseWritten(buf [][]byte, counts []chunkMeta, i, off, n int) (next, nextOff, msgs int) {
	for ; i < len(buf) && n >= len(buf[i])-off; i++ {
		n -= len(buf[i]) - off
		off = 0
		msgs += counts[i].msgs
		counts[i].release(buf[i])
		buf[i], counts[i] = nil, chunkMeta{}
	}
	return i, off + n, msgs
}

// putBack queues the unwritten end of a batch, from chunk i at offset off,
// ahead of what was queued meanwhile. Callers hold mu.
func (o *outQueue) putBack(buf [][]byte, counts []chunkMeta, i, off int) {
	rest := append(buf[:0], buf[i:]...)
	restCounts := append(counts[:0], counts[i:]...)
	clear(buf[len(rest):])
	clear(counts[len(restCounts):])
	rest = append(rest, o.pending...)
	restCounts = append(restCounts, o.counts...)
	clear(o.pending)
	clear(o.counts)
	o.spare, o.spareCount = o.pending[:0], o.counts[:0]
	o.pending, o.counts, o.off = rest, restCounts, off
}

// nextSlice returns the end of the slice of buf that starts at i: whole
// chunks, at most maxSlice bytes unless one chunk alone is bigger.
func nextSlice(buf [][]byte, i int) int {
	j, size := i+1, len(buf[i])
	for j < len(buf) && size+len(buf[j]) <= maxSlice {
		size += len(buf[j])
		j++
	}
	return j
}

// writeLoop is the session's writer goroutine: it takes everything pending
// and writes it in slices of up to maxSlice bytes, one writev each (write
// coalescing), accounting for each slice as it completes, until the
// session ends. While its node is frozen it writes nothing (halt.go).
func (s *session) writeLoop() {
	defer s.d.wg.Done()
	o := &s.out
	// WriteTo consumes iov down to cap 0; iovs keeps the array to reuse.
	var iov net.Buffers
	var iovs [][]byte
	write := func(buf [][]byte, off int) (int, error) {
		iovs = append(iovs[:0], buf...)
		iovs[0] = iovs[0][off:]
		iov = iovs
		n, err := iov.WriteTo(s.conn)
		clear(iovs) // drop references to chunks going back to their pools
		return int(n), err
	}
	for {
		select {
		case <-o.wake:
		case <-s.done:
			return
		}
		if !s.awaitThaw() {
			return
		}
		o.mu.Lock()
		if o.busy || (len(o.pending) == 0 && !o.closing) {
			// A sender writing in place signals when it is done.
			o.mu.Unlock()
			continue
		}
		buf, counts, off := o.take()
		finish := o.closing
		o.mu.Unlock()
		if finish {
			// Everything is queued already: the session is removed.
			if len(buf) > 0 {
				write(buf, off) // the deadline was set by unlink
			}
			for k := range buf {
				counts[k].release(buf[k]) // as after any write
			}
			s.close()
			s.d.seq.finished(s)
			return
		}
		if !s.writeBatch(buf, counts, off, write) {
			return
		}
	}
}

// writeBatch writes a batch taken from pending, slice by slice, accounting
// for each. It reports false when the writer is to stop: a write failed.
func (s *session) writeBatch(buf [][]byte, counts []chunkMeta, off int, write func([][]byte, int) (int, error)) bool {
	o := &s.out
	var err error
	for i := 0; i < len(buf); {
		j := nextSlice(buf, i)
		if err == nil { // after a failed write, the rest is dropped
			var n int
			n, err = write(buf[i:j], off)
			if err != nil && o.suspend(buf, counts, i, j, off, n, err) {
				return true // frozen: the rest waits for the thaw
			}
		}
		msgs, size := 0, -off
		off = 0
		for k := i; k < j; k++ {
			msgs += counts[k].msgs
			size += len(buf[k])
			counts[k].release(buf[k])
			buf[k], counts[k] = nil, chunkMeta{}
		}
		i = j
		o.mu.Lock()
		if err != nil {
			size = 0
		}
		o.wrote(msgs, size)
		if i == len(buf) {
			o.spare, o.spareCount = buf[:0], counts[:0]
			if err == nil {
				o.busy = false
				if len(o.pending) > 0 || o.closing {
					o.signal()
				}
			}
		}
		o.mu.Unlock()
	}
	if err == nil {
		return true
	}
	o.mu.Lock()
	closing := o.closing
	o.drop()
	o.mu.Unlock()
	if closing { // ended while this write blocked
		s.close()
		s.d.seq.finished(s)
		return false
	}
	// The peer is gone, but what it sent before going is still to be read
	// and ordered (a client that exits with unread input makes our writes
	// fail first). The reader ends the session at the end of its input;
	// until then output is dropped.
	s.d.log.Debug("write failed", "session", s.pgroup, "err", err.Error())
	return false
}
