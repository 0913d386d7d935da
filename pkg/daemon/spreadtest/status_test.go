package spreadtest_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spreadmon"
)

func poll(t *testing.T, timeout time.Duration, addrs ...netip.AddrPort) []spreadmon.Result {
	t.Helper()
	var targets []spreadmon.Target
	for i, a := range addrs {
		targets = append(targets, spreadmon.Target{Name: "t" + string(rune('1'+i)), Addr: a})
	}
	p, err := spreadmon.NewPoller(netip.MustParseAddr("127.0.0.1"), targets)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return p.Poll(context.Background(), timeout)
}

// A daemon answers spreadmon at its own address and port once ServeStatus
// runs, with its membership: one daemon alone, three for a ring's node.
// Before, a poll gets ErrNoAnswer.
func TestServeStatus(t *testing.T) {
	d := spreadtest.Run(t)
	plain := d.TCPAddr().(*net.TCPAddr).AddrPort()
	if res := poll(t, 100*time.Millisecond, plain); !errors.Is(res[0].Err, spreadmon.ErrNoAnswer) {
		t.Fatalf("poll of a daemon without ServeStatus: %+v, want ErrNoAnswer", res[0])
	}
	addr := spreadtest.ServeStatus(t, d)
	ring := spreadtest.Ring(t, 3)
	ringAddr := spreadtest.ServeStatus(t, ring.Node("d2"))
	res := poll(t, 5*time.Second, addr, ringAddr)
	for i, want := range []int16{1, 3} {
		if res[i].Err != nil || res[i].Status.NumProcs != want {
			t.Fatalf("target %d: %+v, want an answer with %d daemons", i+1, res[i], want)
		}
	}
	if addr != plain {
		t.Logf("UDP port %d was taken, answering on %v", plain.Port(), addr)
	}
}
