package spread_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/spgo/spgo/pkg/spread"
)

// gateConn is a real TCP connection (so Poll can inspect the socket) whose
// reads and writes a test can steer. An armed read takes everything up to
// the daemon's close, reports how much on took and returns only after
// release is closed: the test runs while the reader holds bytes it has not
// yet accounted for, the window a concurrent Poll used to misjudge.
type gateConn struct {
	net.Conn
	drain      atomic.Bool
	took       chan int
	release    chan struct{}
	failWrites atomic.Bool
}

func (c *gateConn) Read(p []byte) (int, error) {
	if !c.drain.CompareAndSwap(true, false) {
		return c.Conn.Read(p)
	}
	n := 0
	for n < len(p) {
		k, err := c.Conn.Read(p[n:])
		n += k
		if err != nil {
			break // EOF: the socket is empty and closed by the peer
		}
	}
	c.took <- n
	<-c.release
	return n, nil
}

func (c *gateConn) Write(p []byte) (int, error) {
	if c.failWrites.Load() {
		return 0, syscall.EPIPE
	}
	return c.Conn.Write(p)
}

func (c *gateConn) SyscallConn() (syscall.RawConn, error) {
	return c.Conn.(syscall.Conn).SyscallConn()
}

// gatedMailbox connects through a gateConn to a loopback "daemon" that
// accepts and then writes stream and half-closes (the client sees EOF; its
// own writes still go through).
func gatedMailbox(t *testing.T, stream []byte) (*spread.Mailbox, *gateConn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	served := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			served <- nil
			return
		}
		// The handshake reads exact lengths, so the frames may follow at once.
		_, _ = c.Write(append(acceptBytes("#bob#mock"), stream...))
		_ = c.(*net.TCPConn).CloseWrite()
		served <- c
	}()
	gc := &gateConn{took: make(chan int, 1), release: make(chan struct{})}
	mb, err := spread.Connect("4803@fake", spread.WithName("bob"),
		spread.WithDialer(func(ctx context.Context, _, _ string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, "tcp", l.Addr().String())
			gc.Conn = c
			return gc, err
		}))
	if err != nil {
		t.Fatal(err)
	}
	srv := <-served
	if srv == nil {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() {
		_ = mb.Disconnect()
		_ = srv.Close()
	})
	return mb, gc
}

func wantData(t *testing.T, mb *spread.Mailbox, want string) {
	t.Helper()
	msg, err := mb.Receive()
	if err != nil {
		t.Fatalf("Receive, expecting %q: %v", want, err)
	}
	if rm, ok := msg.(*spread.RegularMessage); !ok || string(rm.Data) != want {
		t.Fatalf("Receive = %+v, want data %q", msg, want)
	}
}

// A Poll racing a Receive whose read has just emptied a closed socket must
// not call the connection closed: the messages read are delivered, then
// CONNECTION_CLOSED.
func TestPollDuringReceiveKeepsReadMessages(t *testing.T) {
	stream := append(dataFrame("one"), dataFrame("two")...)
	mb, gc := gatedMailbox(t, stream)
	gc.drain.Store(true)
	first := make(chan error, 1)
	go func() {
		msg, err := mb.Receive()
		if rm, ok := msg.(*spread.RegularMessage); err == nil && (!ok || string(rm.Data) != "one") {
			err = errors.New("first message is not \"one\"")
		}
		first <- err
	}()
	if n := <-gc.took; n != len(stream) {
		close(gc.release)
		t.Fatalf("the read took %d bytes, want %d", n, len(stream))
	}
	// The socket is empty and at EOF; the reader holds both frames but has
	// not counted them yet.
	if _, err := mb.Poll(); err != nil {
		t.Errorf("Poll while Receive holds unread messages: %v", err)
	}
	close(gc.release)
	if err := <-first; err != nil {
		t.Fatalf("first Receive: %v", err)
	}
	wantData(t, mb, "two")
	if _, err := mb.Receive(); !errors.Is(err, spread.ErrConnectionClosed) || errors.Is(err, spread.ErrDisconnected) {
		t.Fatalf("Receive after the last message = %v, want CONNECTION_CLOSED", err)
	}
	if n, err := mb.Poll(); n != 0 || !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Poll at the end = %d, %v; want 0, CONNECTION_CLOSED", n, err)
	}
}

// Poll on a closed socket reports CONNECTION_CLOSED only once the mailbox's
// buffer is empty, and does not fail the mailbox itself.
func TestPollReportsCloseAfterBufferedBytes(t *testing.T) {
	one, two := dataFrame("one"), dataFrame("two")
	mb, gc := gatedMailbox(t, append(append([]byte(nil), one...), two...))
	gc.drain.Store(true)
	close(gc.release)
	wantData(t, mb, "one")
	if n, err := mb.Poll(); n != len(two) || err != nil {
		t.Fatalf("Poll with one frame buffered = %d, %v; want %d, nil", n, err, len(two))
	}
	wantData(t, mb, "two")
	if n, err := mb.Poll(); n != 0 || !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Poll when drained = %d, %v; want 0, CONNECTION_CLOSED", n, err)
	}
	if _, err := mb.Receive(); !errors.Is(err, spread.ErrConnectionClosed) {
		t.Fatalf("Receive at the end = %v", err)
	}
}

// A sticky failure found elsewhere (here a write error) does not discard
// messages already whole in the read buffer; Disconnect does.
func TestBufferedMessagesOutliveWriteFailure(t *testing.T) {
	stream := append(append(dataFrame("one"), dataFrame("two")...), dataFrame("three")[:30]...)
	t.Run("write error", func(t *testing.T) {
		mb, gc := gatedMailbox(t, stream)
		gc.drain.Store(true)
		close(gc.release)
		wantData(t, mb, "one") // "two" and part of "three" stay buffered
		gc.failWrites.Store(true)
		if err := mb.Multicast(spread.AgreedMess, "g", []byte("x"), 1); err != nil {
			t.Fatal(err)
		}
		if err := mb.Flush(); !errors.Is(err, spread.ErrConnectionClosed) {
			t.Fatalf("Flush = %v, want CONNECTION_CLOSED", err)
		}
		if n, err := mb.Poll(); n == 0 || err != nil {
			t.Fatalf("Poll with bytes buffered after the failure = %d, %v", n, err)
		}
		wantData(t, mb, "two")
		for range 2 { // the partial frame is never delivered
			if _, err := mb.Receive(); !errors.Is(err, spread.ErrConnectionClosed) || errors.Is(err, spread.ErrDisconnected) {
				t.Fatalf("Receive after the buffered message = %v, want CONNECTION_CLOSED", err)
			}
		}
	})
	t.Run("disconnect", func(t *testing.T) {
		mb, gc := gatedMailbox(t, stream)
		gc.drain.Store(true)
		close(gc.release)
		wantData(t, mb, "one")
		if err := mb.Disconnect(); err != nil {
			t.Fatal(err)
		}
		if _, err := mb.Receive(); !errors.Is(err, spread.ErrDisconnected) {
			t.Fatalf("Receive after Disconnect = %v, want ErrDisconnected", err)
		}
		if _, err := mb.Poll(); !errors.Is(err, spread.ErrDisconnected) {
			t.Fatalf("Poll after Disconnect = %v, want ErrDisconnected", err)
		}
	})
}
