package statusudp_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
)

// TestServeNodesEachAtItsAddress: every node of a ring answers at its own
// TCP address and port, with the ring's membership; a node without TCP is
// skipped and logged.
func TestServeNodesEachAtItsAddress(t *testing.T) {
	ring := spreadtest.Ring(t, 3)
	nodes := ring.Nodes()
	untcp := spreadtest.Run(t, func(c *daemon.Config) { c.NoTCP = true })
	logs := &syncBuf{}
	g, err := statusudp.ServeNodes(append(nodes, untcp), ring.Nodes, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rs := g.Responders()
	if len(rs) != len(nodes) {
		t.Fatalf("%d responders for %d nodes with TCP", len(rs), len(nodes))
	}
	m := monitor(t)
	for i, n := range nodes {
		if got, want := rs[i].Addr().String(), n.TCPAddr().String(); got != want {
			t.Errorf("%s answers at %s, want its TCP address %s", n.Name(), got, want)
		}
		query(t, m, rs[i].Addr(), binary.LittleEndian)
		rep, ok := readReply(t, m, 10*time.Second)
		if !ok || rep.Status.NumProcs != 3 || rep.Status.MyID != int32(id(t, n)) {
			t.Errorf("%s: answered %v, %+v", n.Name(), ok, rep.Status)
		}
	}
	if !strings.Contains(logs.String(), "no monitor status on UDP: the daemon has no TCP address") {
		t.Errorf("the node without TCP was not logged:\n%s", logs.String())
	}
}

// TestServeNodesPortInUse: a UDP port already taken is Listen's error,
// and the sockets opened before it are closed again.
func TestServeNodesPortInUse(t *testing.T) {
	free, taken := spreadtest.Run(t), spreadtest.Run(t)
	first, err := statusudp.ServeNodes([]*daemon.Daemon{taken}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if _, err := statusudp.ServeNodes([]*daemon.Daemon{free, taken}, nil, nil); !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("%v, want address in use", err)
	}
	again, err := statusudp.ServeNodes([]*daemon.Daemon{free}, nil, nil)
	if err != nil {
		t.Fatalf("the first node's socket was left open: %v", err)
	}
	again.Close()
}

// TestGroupCloseReports: a socket that fails to close is an error from
// Close and a line in the log, not dropped.
func TestGroupCloseReports(t *testing.T) {
	d := spreadtest.Run(t)
	var log bytes.Buffer
	g, err := statusudp.ServeNodes([]*daemon.Daemon{d}, nil, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("first close: %v", err)
	}
	if strings.Contains(log.String(), "closing the monitor status socket") {
		t.Fatalf("a clean close logged:\n%s", log.String())
	}
	err = g.Close() // the sockets are closed already
	if !errors.Is(err, net.ErrClosed) || !strings.Contains(log.String(), "level=WARN msg=\"closing the monitor status socket\" udp="+d.TCPAddr().String()) {
		t.Fatalf("second close: %v\n%s", err, log.String())
	}
}
