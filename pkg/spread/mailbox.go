package spread

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// Mailbox is one session with a Spread daemon (libspread's mailbox).
//
// Multicast, MulticastGroups, Join, Leave, Flush, Poll and Disconnect are
// safe to call from many goroutines at once. Receive and its variants may
// also be called concurrently, but calls are served one at a time: there is
// one reader.
type Mailbox struct {
	conn         net.Conn
	daemon       string
	privateGroup string
	sender       wire.Name // our private group as a NUL-padded field
	groupLimit   int
	// closeWait bounds how long Disconnect waits for pending writes.
	closeWait time.Duration

	// failure is the first fatal error (daemon gone, broken stream),
	// replaced by Disconnect's; every later call returns it.
	failure atomic.Pointer[Error]

	w writer
	r reader
	// batch, when set, bounds the reader's batched wake-ups (SetReadBatch).
	batch atomic.Pointer[batchWaker]

	disconnectOnce sync.Once
}

// Connect opens a session with the daemon named daemon ("4803",
// "4803@host", "" for the default daemon, or "host:port"; see
// ParseDaemonName) and returns the mailbox.
func Connect(daemon string, opts ...Option) (*Mailbox, error) {
	return ConnectContext(context.Background(), daemon, opts...)
}

// ConnectContext is Connect bounded by ctx as well as the Timeout option.
func ConnectContext(ctx context.Context, daemon string, opts ...Option) (*Mailbox, error) {
	o := DefaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	m, err := connect(ctx, daemon, &o)
	if err != nil {
		var se *Error
		if errors.As(err, &se) && se.Daemon == "" {
			se.Daemon = daemon
		}
		return nil, err
	}
	return m, nil
}

func connect(ctx context.Context, daemon string, o *Options) (*Mailbox, error) {
	if err := checkOptions(o); err != nil {
		return nil, err
	}
	network, addr, err := parseDaemonName(daemon, o.SocketDir)
	if err != nil {
		return nil, err
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Timeout)
		defer cancel()
	}
	dial := o.Dialer
	if dial == nil {
		d := &net.Dialer{KeepAlive: 15 * time.Second}
		dial = d.DialContext
	}
	conn, err := dial(ctx, network, addr)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) {
			return nil, &Error{Code: IllegalSpread, Op: "connect", Detail: fmt.Sprintf("cannot resolve host %q", dnsErr.Name), Err: err}
		}
		// A *net.OpError already reads "dial tcp ADDR: ..."; name the
		// address only when the dialer's error does not.
		detail := fmt.Sprintf("dial %s %s", network, addr)
		if strings.Contains(err.Error(), addr) {
			detail = ""
		}
		return nil, &Error{Code: CouldNotConnect, Op: "connect", Detail: detail, Err: err}
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		// libspread sets both; Go already sets TCP_NODELAY by default.
		_ = tc.SetNoDelay(true)
		_ = tc.SetKeepAlive(true)
	}
	pg, err := handshake(ctx, conn, o)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	m := &Mailbox{
		conn:         conn,
		daemon:       daemon,
		privateGroup: pg,
		sender:       wire.MakeName(pg),
		groupLimit:   o.GroupLimit,
		closeWait:    o.Timeout,
	}
	m.r.init(o.ReadBuffer)
	m.w.init(m, o.WriteBuffer)
	return m, nil
}

func checkOptions(o *Options) error {
	if err := CheckPrivateName(o.Name); err != nil {
		return err
	}
	if len(o.Auth) == 0 || len(o.Auth) > 3 {
		// Three filled slots make the 4.4 daemon read past its buffer
		// (docs/protocol.md §4.4), but libspread allows it; so do we.
		return &Error{Code: RejectAuth, Op: "connect", Detail: fmt.Sprintf("%d auth methods given; 1..3 are allowed", len(o.Auth))}
	}
	for _, a := range o.Auth {
		if n := a.Name(); n == "" || len(n) >= wire.AuthSlotSize {
			return &Error{Code: RejectAuth, Op: "connect", Detail: fmt.Sprintf("auth method name %q is %d bytes; 1..%d are allowed", n, len(n), wire.AuthSlotSize-1)}
		}
	}
	if o.GroupLimit < 1 || o.GroupLimit > MaxGroupsPerMessage {
		return &Error{Code: IllegalMessage, Op: "connect", Detail: fmt.Sprintf("group limit %d; 1..%d are allowed", o.GroupLimit, MaxGroupsPerMessage)}
	}
	if o.WriteBuffer <= 0 {
		o.WriteBuffer = DefaultOptions().WriteBuffer
	}
	if o.ReadBuffer < wire.HeaderSize+wire.OldTypeSize {
		o.ReadBuffer = DefaultOptions().ReadBuffer
	}
	return nil
}

// PrivateGroup returns the mailbox's private group name, "#name#daemon":
// sending to it reaches only this mailbox.
func (m *Mailbox) PrivateGroup() string { return m.privateGroup }

// Daemon returns the daemon name the mailbox was connected with.
func (m *Mailbox) Daemon() string { return m.daemon }

// Conn returns the underlying connection, for deadlines or addresses. Do
// not read from or write to it.
func (m *Mailbox) Conn() net.Conn { return m.conn }

// SyscallConn gives access to the socket for select/poll-style integration:
// its Control method hands over the descriptor, as the Python module's
// fileno() returns it (see the example). Bytes already buffered by the
// mailbox do not show on the socket; check Poll first.
func (m *Mailbox) SyscallConn() (syscall.RawConn, error) {
	sc, ok := m.conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("spread: connection %T has no file descriptor", m.conn)
	}
	return sc.SyscallConn()
}

// Disconnect ends the session as SP_disconnect does: buffered messages are
// flushed, a KILL_MESS is sent and the connection is closed. A Receive
// blocked in another goroutine, and every call after Disconnect, returns
// an error matching ErrDisconnected, even when an earlier call had found
// the daemon gone (that call's CONNECTION_CLOSED did not match it). It is
// idempotent and returns nil once the connection is closed, even if the
// daemon was already gone (like libspread). Pending data gets at most
// the Timeout option (default 5s) to be written.
func (m *Mailbox) Disconnect() error {
	m.disconnectOnce.Do(func() {
		// Store, not CompareAndSwap: what failed before no longer matters
		// to the caller, who has ended the session.
		m.failure.Store(&Error{Code: ConnectionClosed, Op: "", Daemon: m.daemon,
			Detail: "mailbox disconnected", disconnected: true})
		// A daemon that stopped reading must not hold us forever: pending
		// data gets the connect Timeout (default 5s) to go out.
		wait := m.closeWait
		if wait <= 0 {
			wait = DefaultOptions().Timeout
		}
		_ = m.conn.SetWriteDeadline(time.Now().Add(wait))
		m.w.shutdown(appendKill(nil, &m.sender))
		_ = m.conn.Close()
	})
	return nil
}

// failed returns the sticky failure for op, or nil.
func (m *Mailbox) failed(op string) error {
	f := m.failure.Load()
	if f == nil {
		return nil
	}
	e := *f
	e.Op = op
	return &e
}

// fail records a fatal error (the first one wins), closes the connection so
// nothing can hang on it, and returns the error as seen by op.
func (m *Mailbox) fail(op string, code int, detail string, cause error) error {
	e := &Error{Code: code, Daemon: m.daemon, Detail: detail, Err: cause}
	if m.failure.CompareAndSwap(nil, e) {
		_ = m.conn.Close()
		// Let an idle flusher see the failure and exit.
		select {
		case m.w.kick <- struct{}{}:
		default:
		}
	}
	return m.failed(op)
}

// keepsBuffered reports whether frames already whole in the read buffer are
// still delivered after failure e: yes when the connection was lost, not
// after Disconnect or a broken stream (whose buffer cannot be parsed).
func (e *Error) keepsBuffered() bool { return e.Code == ConnectionClosed && !e.disconnected }

// streamLost reports whether the mailbox failed with ILLEGAL_MESSAGE (an
// undecodable header), as opposed to a skipped frame.
func (m *Mailbox) streamLost() bool {
	f := m.failure.Load()
	return f != nil && f.Code == IllegalMessage
}

// netFail turns a read or write error into CONNECTION_CLOSED (docs/protocol.md §10:
// libspread reports -8 and then -18; this package keeps reporting -8).
func (m *Mailbox) netFail(op string, err error) error {
	if f := m.failure.Load(); f != nil {
		return m.failed(op)
	}
	return m.fail(op, ConnectionClosed, "", err)
}
