package daemon

import (
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// connPair is a connected pair over TCP or a unix socket: c is the
// daemon's end (read with a rawReader), peer the client's.
func connPair(t *testing.T, network string) (c, peer net.Conn) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err = net.Dial(network, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	if c, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, peer
}

// The raw reader behaves as conn.Read does at each way a read can end:
// nothing there yet (it waits, and a deadline ends the wait), bytes, the
// peer's close (io.EOF), and the daemon's own close.
func TestRawReaderReadsLikeConn(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			c, peer := connPair(t, network)
			r := newRawReader(c)
			if r == nil {
				t.Fatal("no raw reader for a socket")
			}
			p := make([]byte, 64)

			// An empty socket: the raw read finds nothing, so the reader
			// must wait for input (a reader that returned instead would
			// give 0 bytes and no error) until the deadline.
			c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			n, err := r.Read(p)
			if n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read of an empty socket with a deadline: %d, %v; want 0 and a deadline error", n, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "read ") {
				t.Errorf("deadline error %q; want it to read as conn.Read's (\"read ...\")", msg)
			}
			c.SetReadDeadline(time.Time{})

			// Bytes written while the reader waits.
			got := make(chan string, 1)
			go func() {
				n, err := r.Read(p)
				if err != nil {
					got <- "error: " + err.Error()
					return
				}
				got <- string(p[:n])
			}()
			if _, err := peer.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			if s := <-got; s != "hello" {
				t.Fatalf("read %q; want \"hello\"", s)
			}

			// The peer's close is io.EOF itself, as conn.Read returns it.
			peer.Close()
			if n, err := r.Read(p); n != 0 || err != io.EOF {
				t.Fatalf("read after the peer closed: %d, %v; want 0, io.EOF", n, err)
			}

			// The daemon closing the connection ends a read with net.ErrClosed.
			c.Close()
			if _, err := r.Read(p); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("read of a closed connection: %v; want net.ErrClosed", err)
			}
		})
	}
}

// A client that resets its connection shows as ECONNRESET, which
// closeReason names.
func TestRawReaderReportsReset(t *testing.T) {
	c, peer := connPair(t, "tcp")
	r := newRawReader(c)
	// Unread input at the peer's close makes it reset the connection.
	if _, err := c.Write([]byte("unread")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	if _, err := io.ReadFull(peer, buf); err != nil { // the rest stays unread
		t.Fatal(err)
	}
	peer.(*net.TCPConn).SetLinger(0)
	peer.Close()
	_, err := r.Read(make([]byte, 64))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after the peer reset: %v; want ECONNRESET", err)
	}
	if got := closeReason(err, 0); got != "connection reset by client" {
		t.Fatalf("closeReason = %q", got)
	}
}
