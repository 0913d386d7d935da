package spread_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// connectTCP connects to the test daemon (SPGO_TEST_DAEMON, or an
// embedded one) over TCP and returns the mailbox with its connection,
// whose socket options the test reads.
func connectTCP(t *testing.T) (*spread.Mailbox, *net.TCPConn) {
	t.Helper()
	name := spreadtest.Daemon(t)
	if network, _, err := spread.ParseDaemonName(name); err == nil && network != "tcp" {
		t.Skipf("%s=%s is reached over %s; read batching needs TCP", spreadtest.EnvDaemon, name, network)
	}
	var conn *net.TCPConn
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			conn = tc
		}
		return c, err
	}
	mb := connect(t, name, spread.WithDialer(dial))
	if conn == nil {
		t.Fatalf("%s was not reached over TCP", name)
	}
	return mb, conn
}

func lowMark(t *testing.T, c *net.TCPConn) int {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var opErr error
	if err := rc.Control(func(fd uintptr) {
		n, opErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVLOWAT)
	}); err != nil {
		t.Fatal(err)
	}
	if opErr != nil {
		t.Fatal(opErr)
	}
	return n
}

// A batched mailbox sets the socket's low mark, still gets a message
// smaller than the batch (the wait bounds it), keeps the mark after that
// read, and clears it when batching is turned off.
func TestIntegrationReadBatchOnTCP(t *testing.T) {
	mb, conn := connectTCP(t)
	const batch = 16 << 10
	if err := mb.SetReadBatch(spread.ReadBatch{Bytes: batch, Wait: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if got := lowMark(t, conn); got != batch {
		t.Fatalf("SO_RCVLOWAT = %d after SetReadBatch, want %d", got, batch)
	}
	type result struct {
		msg spread.Message
		err error
	}
	got := make(chan result, 1)
	go func() { // most likely waiting in a read when the message comes
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		msg, err := mb.ReceiveContext(ctx)
		got <- result{msg, err}
	}()
	if err := mb.Multicast(spread.AgreedMess, mb.PrivateGroup(), []byte("alone"), 1); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if m, ok := r.msg.(*spread.RegularMessage); r.err != nil || !ok || string(m.Data) != "alone" {
		t.Fatalf("got %+v, %v; want the message \"alone\" within the batch's wait", r.msg, r.err)
	}
	if got := lowMark(t, conn); got != batch {
		t.Fatalf("SO_RCVLOWAT = %d after a read, want %d again", got, batch)
	}
	if err := mb.SetReadBatch(spread.ReadBatch{}); err != nil {
		t.Fatal(err)
	}
	if got := lowMark(t, conn); got != 1 {
		t.Fatalf("SO_RCVLOWAT = %d with batching off, want 1", got)
	}
}

func TestReadBatchRefusesHalfASetting(t *testing.T) {
	mb, _ := connectTCP(t)
	for _, b := range []spread.ReadBatch{{Bytes: 1024}, {Wait: time.Millisecond}, {Bytes: -1, Wait: time.Millisecond}, {Bytes: 1024, Wait: -1}} {
		if err := mb.SetReadBatch(b); err == nil {
			t.Errorf("SetReadBatch(%+v) was accepted", b)
		}
	}
}

// A Unix socket wakes its reader on every write whatever its low mark, so
// batching one is refused; turning batching off is still fine.
func TestReadBatchOnUnixSocket(t *testing.T) {
	dm := spreadtest.Run(t)
	dir, port := filepath.Split(dm.UnixPath())
	mb := connect(t, port, spread.WithSocketDir(filepath.Clean(dir)))
	err := mb.SetReadBatch(spread.ReadBatch{Bytes: 4096, Wait: time.Millisecond})
	if !errors.Is(err, spread.ErrReadBatchUnsupported) {
		t.Fatalf("SetReadBatch on a Unix socket: %v, want ErrReadBatchUnsupported", err)
	}
	if err := mb.SetReadBatch(spread.ReadBatch{}); err != nil {
		t.Fatalf("turning batching off on a Unix socket: %v", err)
	}
}
