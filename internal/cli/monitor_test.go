package cli

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

// TestMonitorRing: spgo monitor against a ring of spgo daemons, each node
// answering for itself: all see 3 daemons; after a crash the crashed node
// is down (exit 4) and the others see 2 (exit 6 once it is left out).
func TestMonitorRing(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	nodes := r.Nodes()
	mon, err := startMonitorUDP(nodes, r.Nodes, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer mon.close()
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.TCPAddr().String())
	}
	run := func(expect int, daemons ...string) (string, error) {
		f, io := testFactory(t, nil)
		f.Now = time.Now
		err := monitorRun(context.Background(), &MonitorOptions{Factory: f, Daemons: daemons, Output: OutputJSON,
			Timeout: 300 * time.Millisecond, ExpectDaemons: expect, MaxRetransRate: -1})
		return io.out.String(), err
	}
	out, err := run(3, addrs...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Count(out, `"num_procs":3`) != 3 || strings.Count(out, `"up":true`) != 3 {
		t.Errorf("ring of 3:\n%s", out)
	}
	for _, n := range nodes {
		if !strings.Contains(out, `"address":"`+n.TCPAddr().String()+`"`) {
			t.Errorf("no line for %s", n.Name())
		}
	}

	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	out, err = run(3, addrs...)
	if ExitCode(err) != ExitTimeout || !strings.Contains(err.Error(), addrs[2]+" did not answer") {
		t.Fatalf("after the crash: %v (exit %d)\n%s", err, ExitCode(err), out)
	}
	out, err = run(3, addrs[:2]...)
	if ExitCode(err) != ExitCheck || err.Error() != "check failed: "+addrs[0]+" sees 2 daemons in its membership, expected 3" {
		t.Fatalf("survivors: %v (exit %d)\n%s", err, ExitCode(err), out)
	}
	if _, err := run(2, addrs[:2]...); err != nil {
		t.Fatal(err)
	}
}

// TestMonitorUDPPortInUse: spgo daemon with a UDP port already taken is a
// usage error at start, naming --no-monitor.
func TestMonitorUDPPortInUse(t *testing.T) {
	d := spreadtest.Run(t)
	first, err := startMonitorUDP([]*daemon.Daemon{d}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer first.close()
	_, err = startMonitorUDP([]*daemon.Daemon{d}, nil, slog.New(slog.DiscardHandler))
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "address already in use (--no-monitor to go without)") {
		t.Fatalf("%v (exit %d)", err, ExitCode(err))
	}
}
