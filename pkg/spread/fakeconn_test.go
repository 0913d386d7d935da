package spread_test

import (
	"context"
	"io"
	"net"
	"sync"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/spread"
)

// fakeConn is an in-memory connection for fuzzing and benchmarks: reads
// come from src (then, if loop is set, src's tail after skip repeats
// forever), writes are discarded.
type fakeConn struct {
	mu     sync.Mutex
	src    []byte
	pos    int
	loopAt int // >= 0: after the end, continue at this offset
	closed bool
}

func (c *fakeConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	if c.pos >= len(c.src) {
		if c.loopAt < 0 || c.loopAt >= len(c.src) {
			return 0, io.EOF
		}
		c.pos = c.loopAt
	}
	n := copy(p, c.src[c.pos:])
	c.pos += n
	return n, nil
}

func (c *fakeConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return len(p), nil
}

func (c *fakeConn) Close() error {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	return nil
}

func (c *fakeConn) LocalAddr() net.Addr                { return &net.TCPAddr{} }
func (c *fakeConn) RemoteAddr() net.Addr               { return &net.TCPAddr{} }
func (c *fakeConn) SetDeadline(t time.Time) error      { return nil }
func (c *fakeConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *fakeConn) SetWriteDeadline(t time.Time) error { return nil }

// acceptBytes is what a daemon sends for a normal handshake.
func acceptBytes(privateGroup string) []byte {
	b := wire.AppendAuthOffer(nil, []string{"NULL"})
	return wire.AppendAccept(b, true, privateGroup)
}

// fakeMailbox connects over a fakeConn whose daemon side is stream
// (handshake included); loop >= 0 repeats stream[loop:] forever.
func fakeMailbox(stream []byte, loop int, opts ...spread.Option) (*spread.Mailbox, error) {
	c := &fakeConn{src: stream, loopAt: loop}
	opts = append(opts, spread.WithDialer(func(context.Context, string, string) (net.Conn, error) { return c, nil }))
	return spread.Connect("4803@fake", opts...)
}
