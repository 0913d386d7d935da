package daemon

import (
	"net"
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
	buf  []byte
	r, w int
	last int // bytes returned by the last read, to decide when to shrink
	// consumed counts the bytes handled so far (tests wait on it).
	consumed atomic.Int64
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
	m, err := b.conn.Read(b.buf[b.w:])
	b.w += m
	b.last = m
	if m > 0 {
		return nil
	}
	return err
}

// makeRoom compacts and resizes the buffer so that it can hold n bytes
// from r and has free space for the next read.
func (b *inbuf) makeRoom(n int) {
	if b.r == b.w {
		b.r, b.w = 0, 0
		// Idle after small reads: give a grown buffer back before blocking.
		if len(b.buf) > inbufMin && b.last < len(b.buf)/16 && n <= inbufMin {
			b.buf = nil
		}
	}
	size := len(b.buf)
	if size == 0 {
		size = inbufMin
	}
	// A read that filled the whole buffer asks for a bigger one.
	if b.last == len(b.buf) && size < inbufMax {
		size *= 2
	}
	for size < n {
		size *= 2
	}
	if size > inbufMax && n <= inbufMax {
		size = inbufMax // back from a read-ahead
	}
	if size < b.w-b.r+1 {
		size = b.w - b.r + 1 // never drop buffered bytes; room for a read
	}
	if size != len(b.buf) {
		nb := make([]byte, size)
		b.w = copy(nb, b.buf[b.r:b.w])
		b.r = 0
		b.buf = nb
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
			nb := make([]byte, min(max(2*len(b.buf), inbufMin), limit))
			b.w = copy(nb, b.buf[b.r:b.w])
			b.r = 0
			b.buf = nb
		}
	}
	return b.readOnce()
}

// consume drops n bytes.
func (b *inbuf) consume(n int) {
	b.r += n
	b.consumed.Add(int64(n))
}

// deadline sets the read deadline (zero time: none).
func (b *inbuf) deadline(t time.Time) { b.conn.SetReadDeadline(t) }
