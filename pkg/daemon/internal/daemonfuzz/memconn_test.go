package daemonfuzz

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// memConn is a client connection in memory, for the fuzz targets: no
// socket, no goroutine on the client's side. The daemon reads the input
// segment by segment, at most one per Read (as a client's separate sends
// arrive), then io.EOF; a conn made with newFedConn instead waits for
// segments fed later. What the daemon writes goes to onWrite.
type memConn struct {
	mu       sync.Mutex
	segs     [][]byte      // input not yet read; segs[0] may be partly read
	held     [][]byte      // input read after segs once gate is closed
	gate     chan struct{} // closed by the test when held may be read
	feed     chan []byte   // nil: io.EOF once segs (and held) are read
	deadline time.Time     // read deadline; looked at when a Read starts to wait
	onWrite  func([]byte)

	closeOnce sync.Once
	closed    chan struct{}
}

// newScriptedConn reads segs, then io.EOF.
func newScriptedConn(onWrite func([]byte), segs ...[]byte) *memConn {
	return &memConn{segs: segs, onWrite: onWrite, closed: make(chan struct{})}
}

// hold makes the daemon read segs only after open: what a client sends
// once it has seen the daemon's answer.
func (c *memConn) hold(segs ...[]byte) {
	c.held, c.gate = segs, make(chan struct{})
}

// open releases the held segments.
func (c *memConn) open() { close(c.gate) }

// newFedConn reads what feed brings, then io.EOF once feed is closed.
func newFedConn(onWrite func([]byte)) (*memConn, chan<- []byte) {
	feed := make(chan []byte, 1)
	return &memConn{feed: feed, onWrite: onWrite, closed: make(chan struct{})}, feed
}

// Read returns the rest of the current segment, at most len(p) bytes.
func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	for len(c.segs) > 0 && len(c.segs[0]) == 0 {
		c.segs = c.segs[1:]
	}
	if len(c.segs) > 0 {
		n := copy(p, c.segs[0])
		c.segs[0] = c.segs[0][n:]
		c.mu.Unlock()
		return n, nil
	}
	deadline, held := c.deadline, c.held
	c.mu.Unlock()
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	if held != nil {
		return c.waitGate(p)
	}
	if c.feed == nil {
		return 0, io.EOF
	}
	return c.wait(p, deadline)
}

// waitGate waits for the held segments to be released (deadlines do not
// apply: the fuzz targets hold only until the daemon has answered).
func (c *memConn) waitGate(p []byte) (int, error) {
	select {
	case <-c.gate:
	case <-c.closed:
		return 0, net.ErrClosed
	}
	c.mu.Lock()
	c.segs, c.held = append(c.segs, c.held...), nil
	c.mu.Unlock()
	return c.Read(p)
}

// wait blocks for the next fed segment, the read deadline or Close.
func (c *memConn) wait(p []byte, deadline time.Time) (int, error) {
	var expired <-chan time.Time
	if !deadline.IsZero() {
		wait := time.Until(deadline)
		if wait <= 0 {
			return 0, os.ErrDeadlineExceeded
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case seg, ok := <-c.feed:
		if !ok {
			return 0, io.EOF
		}
		c.mu.Lock()
		c.segs = append(c.segs, seg)
		c.mu.Unlock()
		return c.Read(p)
	case <-expired:
		return 0, os.ErrDeadlineExceeded
	case <-c.closed:
		return 0, net.ErrClosed
	}
}

func (c *memConn) Write(b []byte) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	c.onWrite(b)
	return len(b), nil
}

func (c *memConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return nil
}

func (c *memConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.deadline = t
	c.mu.Unlock()
	return nil
}

// SetDeadline sets the read deadline; writes never wait.
func (c *memConn) SetDeadline(t time.Time) error    { return c.SetReadDeadline(t) }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }
func (c *memConn) LocalAddr() net.Addr              { return memAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return memAddr{} }
func (memAddr) Network() string                     { return "mem" }
func (memAddr) String() string                      { return "mem" }

type memAddr struct{}
