package spread

import (
	"context"
	"errors"
	"io"
	"iter"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// reader owns the receive buffer. Frames are parsed in place, many per
// read syscall; a frame is consumed only once it is complete, so a read
// interrupted by a deadline leaves the stream intact for the next call.
type reader struct {
	mu         sync.Mutex
	buf        []byte
	start, end int
	// buffered mirrors end-start for Poll, which must not wait for mu.
	buffered atomic.Int64
	// reading is set around each conn.Read until buffered counts what it
	// returned: bytes it took from the socket are in neither place Poll
	// looks, so Poll must not call the connection closed meanwhile.
	reading atomic.Bool
	// reads counts conn.Read calls, so ReceiveRaw can tell a frame that
	// came with a read from one already whole in buf.
	reads uint64
}

func (r *reader) init(size int) { r.buf = make([]byte, size) }

// ensure makes at least n unread bytes available in r.buf[r.start:].
func (m *Mailbox) ensure(n int) error {
	r := &m.r
	if r.start == r.end {
		r.start, r.end = 0, 0
	}
	for r.end-r.start < n {
		if r.start+n > len(r.buf) {
			if n > len(r.buf) {
				nb := make([]byte, max(n, 2*len(r.buf)))
				r.end = copy(nb, r.buf[r.start:r.end])
				r.buf = nb
			} else {
				r.end = copy(r.buf, r.buf[r.start:r.end])
			}
			r.start = 0
		}
		r.reading.Store(true)
		r.reads++
		b := m.batch.Load()
		if b != nil {
			b.start()
		}
		k, err := m.conn.Read(r.buf[r.end:])
		if b != nil {
			b.done()
		}
		r.end += k
		r.buffered.Store(int64(r.end - r.start))
		r.reading.Store(false)
		if err != nil {
			if r.end-r.start >= n {
				return nil
			}
			return m.readError(err)
		}
	}
	return nil
}

func (m *Mailbox) readError(err error) error {
	if f := m.failed("receive"); f != nil {
		return f
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &timeoutError{err}
	}
	detail := ""
	if errors.Is(err, io.EOF) {
		detail = "the daemon closed the connection"
	}
	return m.fail("receive", ConnectionClosed, detail, err)
}

// timeoutError is a read deadline that passed; the mailbox stays usable.
type timeoutError struct{ err error }

func (e *timeoutError) Error() string { return "spread: receive: " + e.err.Error() }
func (e *timeoutError) Unwrap() error { return e.err }
func (e *timeoutError) Timeout() bool { return true }

// next reads one whole frame. The returned slices alias the read buffer
// and are valid until the next call; r.mu must be held. After a lost
// connection, frames already whole in the buffer are still delivered (as
// libspread delivers what it has read) before the failure is reported;
// after Disconnect or a broken stream nothing is.
func (m *Mailbox) next() (h wire.Header, oldType uint32, groups, body []byte, err error) {
	if f := m.failure.Load(); f != nil && !(f.keepsBuffered() && m.frameBuffered()) {
		err = m.failed("receive")
		return
	}
	if err = m.ensure(wire.HeaderSize); err != nil {
		return
	}
	r := &m.r
	h, err = wire.DecodeHeader(r.buf[r.start:r.end])
	if err != nil {
		err = m.fail("receive", IllegalMessage, "the daemon sent an undecodable header; the stream is lost", err)
		return
	}
	rest, err := h.CheckLengths(wire.ClientReadLimits)
	if err != nil {
		err = m.fail("receive", IllegalMessage, "the daemon sent an impossible header; the stream is lost", err)
		return
	}
	if err = m.ensure(wire.HeaderSize + rest); err != nil {
		return
	}
	p := r.buf[r.start+wire.HeaderSize : r.start+wire.HeaderSize+rest]
	r.start += wire.HeaderSize + rest
	r.buffered.Store(int64(r.end - r.start))
	if h.IsReject() {
		oldType = h.ByteOrder().Uint32(p)
		p = p[wire.OldTypeSize:]
	}
	g := int(h.NumGroups) * MaxGroupName
	return h, oldType, p[:g], p[g:], nil
}

// Receive blocks until a message arrives and returns it; every slice and
// string in it is owned by the caller. Messages of any size are returned
// whole (there is no BUFFER_TOO_SHORT or GROUPS_TOO_SHORT). A frame whose
// content cannot be decoded (a malformed membership body, an unknown type)
// is consumed and reported as ILLEGAL_MESSAGE; the next call goes on with
// the next frame. A header that cannot be decoded loses the stream: the
// mailbox fails with ILLEGAL_MESSAGE. When the connection is lost (the
// daemon closed it, or a write failed) Receive first returns the messages
// already whole in the mailbox's buffer, then it and every later call
// return CONNECTION_CLOSED.
func (m *Mailbox) Receive() (Message, error) {
	m.r.mu.Lock()
	defer m.r.mu.Unlock()
	return m.receiveLocked()
}

func (m *Mailbox) receiveLocked() (Message, error) {
	h, oldType, groups, body, err := m.next()
	if err != nil {
		return nil, err
	}
	msg, err := decodeMessage(&h, oldType, groups, body)
	if err != nil {
		return nil, &Error{Code: IllegalMessage, Op: "receive", Daemon: m.daemon,
			Detail: "the daemon sent a message that cannot be decoded (skipped)", Err: err}
	}
	return msg, nil
}

// ReceiveContext is Receive bounded by ctx: when ctx ends first it returns
// ctx.Err() and the mailbox stays usable (a partly read message is kept).
// Whenever it returns ctx's error, ctx.Err() reports it too.
func (m *Mailbox) ReceiveContext(ctx context.Context) (Message, error) {
	if ctx.Done() == nil {
		return m.Receive()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.r.mu.Lock()
	defer m.r.mu.Unlock()
	if m.r.end-m.r.start == 0 || !m.frameBuffered() {
		stop := m.interruptOn(ctx)
		defer stop()
	}
	msg, err := m.receiveLocked()
	var te *timeoutError
	if err != nil && errors.As(err, &te) {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		// The read deadline is ctx's deadline; the read may notice it
		// a moment before ctx's own timer does, which fires in a moment.
		if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
	}
	return msg, err
}

// frameBuffered reports whether a whole frame is already in the buffer, so
// no read (and no deadline) is needed.
func (m *Mailbox) frameBuffered() bool {
	r := &m.r
	if r.end-r.start < wire.HeaderSize {
		return false
	}
	h, err := wire.DecodeHeader(r.buf[r.start:r.end])
	if err != nil {
		return true // next() reports it without reading
	}
	rest, err := h.CheckLengths(wire.ClientReadLimits)
	return err != nil || r.end-r.start >= wire.HeaderSize+rest
}

// interruptOn makes reads on the connection return when ctx ends and
// returns a function that undoes it.
func (m *Mailbox) interruptOn(ctx context.Context) func() {
	if dl, ok := ctx.Deadline(); ok {
		_ = m.conn.SetReadDeadline(dl)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = m.conn.SetReadDeadline(time.Unix(1, 0))
		close(fired)
	})
	return func() {
		if !stop() {
			<-fired
		}
		_ = m.conn.SetReadDeadline(time.Time{})
	}
}

// Messages returns an iterator over received messages, each received
// with ReceiveContext(ctx) when the loop asks for it. It ends after
// yielding the first error (ctx's error when ctx ends, CONNECTION_CLOSED
// when the daemon goes away or after Disconnect) or when the loop breaks;
// a frame that cannot be decoded is yielded as ILLEGAL_MESSAGE and the
// iteration goes on. Nothing is read ahead, so nothing is lost when the
// loop breaks or ctx ends: the mailbox stays usable (a partly read
// message is kept), and the next Receive, or another Messages, returns
// the next message. The iterator may be ranged over again.
func (m *Mailbox) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for {
			msg, err := m.ReceiveContext(ctx)
			if err != nil {
				var se *Error
				if errors.As(err, &se) && se.Code == IllegalMessage && !m.streamLost() {
					// A skipped frame: report it and go on.
					if !yield(nil, err) {
						return
					}
					continue
				}
				yield(nil, err)
				return
			}
			if !yield(msg, nil) {
				return
			}
		}
	}
}
