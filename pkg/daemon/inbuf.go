package daemon

import (
	"errors"
	"io"
	"math/bits"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Read-buffer sizes: an idle session keeps a small buffer; one that fills
// its buffer with every read grows it so that one read carries many frames.
const (
	inbufMin = 1 << 10
	inbufMax = 256 << 10 // > the largest frame, 48 + 143952 bytes
)

// inbuf is a session's read buffer: bytes [r:w] of buf are read and not yet
// consumed. The handshake and the message loop share it, so bytes a client
// pipelines after its auth choice are not lost.
type inbuf struct {
	conn net.Conn
	src  io.Reader  // conn, or raw
	raw  *rawReader // nil for connections that are no socket, and off Linux
	buf  []byte
	bufp *[]byte // what buf came from, to give it back to readBufs
	r, w int
	// burst counts the bytes read since the buffer was last empty: what
	// the traffic between two idle moments needed, to decide when to shrink.
	burst int
	// full: the last read filled the free space it was given (a good part
	// of the buffer), so more bytes were probably waiting: grow.
	full bool
	// consumed counts the bytes handled so far (tests wait on it);
	// changed, when set, is told of every step of it.
	consumed atomic.Int64
	changed  *changes
}

// attach makes c the connection read from.
func (b *inbuf) attach(c net.Conn) {
	b.conn, b.src = c, c
	if r := newRawReader(c); r != nil {
		b.src, b.raw = r, r
	}
}

func (b *inbuf) buffered() int { return b.w - b.r }

// bytes returns the unconsumed bytes (aliasing the buffer).
func (b *inbuf) bytes() []byte { return b.buf[b.r:b.w] }

// need reads until at least n bytes are buffered. n must be <= inbufMax.
func (b *inbuf) need(n int) error {
	for b.w-b.r < n {
		if err := b.fill(n); err != nil {
			return err
		}
	}
	return nil
}

// fill makes room for a frame of n bytes at r and does one read.
func (b *inbuf) fill(n int) error {
	b.makeRoom(n)
	return b.readOnce()
}

// readOnce does one read into the free space after w; a read that brought
// bytes is a success even if it also reported an error (it comes again).
func (b *inbuf) readOnce() error {
	m, err := b.src.Read(b.buf[b.w:])
	if b.grew(m) {
		return nil
	}
	return err
}

// grew accounts for m bytes read into the free space; false when m is 0.
func (b *inbuf) grew(m int) bool {
	space := len(b.buf) - b.w
	b.w += m
	b.burst += m
	b.full = m == space && space >= len(b.buf)/4
	return m > 0
}

// tryFill is fill without waiting: got is false when the socket holds
// nothing now. Without a raw reader, "now" is a read of readAheadPoll.
func (b *inbuf) tryFill(n int) (got bool, err error) {
	b.makeRoom(n)
	var m int
	if b.raw != nil {
		m, err = b.raw.tryRead(b.buf[b.w:])
	} else {
		b.conn.SetReadDeadline(time.Now().Add(readAheadPoll))
		m, err = b.src.Read(b.buf[b.w:])
		b.conn.SetReadDeadline(time.Time{})
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = nil
		}
	}
	if b.grew(m) {
		return true, nil
	}
	return false, err
}

// makeRoom compacts and resizes the buffer so that it can hold n bytes
// from r and has free space for the next read.
func (b *inbuf) makeRoom(n int) {
	if b.r == b.w {
		b.r, b.w = 0, 0
		// Idle after little traffic: give a grown buffer back before
		// blocking. The whole burst counts, not its last read: a frame
		// just over inbufMin arrives as a full read and a short one, and
		// a buffer given back after each such frame would have it read
		// in two reads (and copied) every time.
		if len(b.buf) > inbufMin && b.burst < len(b.buf)/16 && n <= inbufMin {
			putReadBuf(b.bufp)
			b.buf, b.bufp = nil, nil
		}
		b.burst = 0
	}
	size := len(b.buf)
	if size == 0 {
		size = inbufMin
	}
	// A read that filled its space asks for a bigger buffer: a client
	// that writes a message per system call would otherwise be read one
	// message per read however far ahead it is, the free space after a
	// partial frame being about one frame.
	if b.full && size < inbufMax {
		size *= 2
	}
	for size < n {
		size *= 2
	}
	if size > inbufMax && n <= inbufMax {
		size = inbufMax // back from a read-ahead
	}
	if need := b.w - b.r + 1; size < need {
		// Never drop buffered bytes, and leave room for a read; a power
		// of two, so that the buffer comes from (and goes back to) a pool
		// while a backlog read ahead drains.
		size = 1 << bits.Len(uint(need-1))
	}
	if size != len(b.buf) {
		b.resize(size)
		return
	}
	if b.r > 0 && (b.w == len(b.buf) || len(b.buf)-b.r < n) {
		b.w = copy(b.buf, b.buf[b.r:b.w])
		b.r = 0
	}
}

// canReadAhead reports whether readAhead has room (growing up to limit).
func (b *inbuf) canReadAhead(limit int) bool {
	return b.w < len(b.buf) || b.r > 0 || len(b.buf) < limit
}

// readAhead does one read into the free space, compacting or growing the
// buffer (up to limit) first when it is full.
func (b *inbuf) readAhead(limit int) error {
	if b.w == len(b.buf) {
		if b.r > 0 {
			b.w = copy(b.buf, b.buf[b.r:b.w])
			b.r = 0
		} else {
			b.resize(min(max(2*len(b.buf), inbufMin), limit))
		}
	}
	return b.readOnce()
}

// resize moves the unconsumed bytes to a buffer of size bytes.
func (b *inbuf) resize(size int) {
	nbp := getReadBuf(size)
	nb := *nbp
	b.w = copy(nb, b.buf[b.r:b.w])
	b.r = 0
	putReadBuf(b.bufp)
	b.buf, b.bufp = nb, nbp
}

// readBufs pools read buffers by size, one pool per power of two from
// inbufMin to readAheadMax: a busy session's buffer grows and shrinks
// with its traffic, and would otherwise allocate every time.
var readBufs [11]sync.Pool // 1 KiB .. 1 MiB

// readBufClass is the pool for buffers of size bytes, or -1.
func readBufClass(size int) int {
	if size < inbufMin || size&(size-1) != 0 {
		return -1
	}
	if c := bits.Len(uint(size/inbufMin)) - 1; c < len(readBufs) {
		return c
	}
	return -1
}

func getReadBuf(size int) *[]byte {
	if c := readBufClass(size); c >= 0 {
		if p, _ := readBufs[c].Get().(*[]byte); p != nil {
			return p
		}
	}
	b := make([]byte, size)
	return &b
}

func putReadBuf(p *[]byte) {
	if p == nil {
		return
	}
	if c := readBufClass(len(*p)); c >= 0 {
		readBufs[c].Put(p)
	}
}

// consume drops n bytes.
func (b *inbuf) consume(n int) {
	b.r += n
	b.consumed.Add(int64(n))
	if b.changed != nil {
		b.changed.notify()
	}
}

// deadline sets the read deadline (zero time: none).
func (b *inbuf) deadline(t time.Time) { b.conn.SetReadDeadline(t) }
