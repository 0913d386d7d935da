package spreadtest

import (
	"net"
	"net/netip"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
)

// ServeStatus makes node answer the status query of Spread's monitor
// protocol (pkg/daemon/statusudp), as `spgo daemon` does, and registers
// the answering's end with t.Cleanup. It returns the UDP address to poll
// with pkg/spreadmon: the node's TCP address and port, as a real daemon's,
// or another free port on that address when that UDP port is taken. A
// node of a ring reports the ring's membership. It fails the test when
// node has no TCP address or no UDP socket can be opened.
func ServeStatus(t testing.TB, node *daemon.Daemon) netip.AddrPort {
	t.Helper()
	tcp, ok := node.TCPAddr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("spreadtest: serve status of %s: the daemon has no TCP address (NoTCP)", node.Name())
	}
	conn, err := statusudp.Listen(tcp.String())
	if err != nil {
		conn, err = statusudp.Listen(net.JoinHostPort(tcp.IP.String(), "0"))
	}
	if err != nil {
		t.Fatalf("spreadtest: serve status of %s: %v", node.Name(), err)
	}
	opts := statusudp.Options{Node: node}
	if r := node.Ring(); r != nil {
		opts.Ring = r.Nodes
	}
	responder := statusudp.Serve(conn, opts)
	t.Cleanup(func() {
		if err := responder.Close(); err != nil {
			t.Errorf("spreadtest: stop serving status of %s: %v", node.Name(), err)
		}
	})
	return conn.LocalAddr().(*net.UDPAddr).AddrPort()
}
