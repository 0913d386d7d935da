package spreadtest

import (
	"os"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
)

// Ring starts a ring of n nodes named d1..dn in one process (node K on
// 127.0.0.K, one free port, Unix sockets under a temporary directory) and
// registers its Close with t.Cleanup. The returned ring gives the nodes
// (Nodes, Node), the faults (Crash, Partition, Heal, Restart) and the
// barrier that orders what clients wrote before one (Sync). Options
// change the Config every node shares (Name and Host are the ring's).
func Ring(t testing.TB, n int, opts ...Option) *daemon.Ring {
	t.Helper()
	cfg := daemon.Config{SocketDir: socketDir(t)}
	for _, o := range opts {
		o(&cfg)
	}
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: n, Node: cfg})
	if err != nil {
		t.Fatalf("spreadtest: start ring: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("spreadtest: close ring: %v", err)
		}
	})
	return r
}

// EnvRing names the environment variable that points the ring
// integration tests at a real ring: its daemons in configuration order,
// comma-separated ("4803@127.0.0.1,4803@127.0.0.2,4803@127.0.0.3").
const EnvRing = "SPGO_TEST_RING"

// RingTarget is the ring an integration test talks to.
type RingTarget struct {
	// Daemons are the daemon names clients connect to, one per node in
	// configuration order.
	Daemons []string
	// Ring is the in-process ring, or nil for a real one (SPGO_TEST_RING).
	Ring *daemon.Ring
}

// RingDaemons returns the real ring SPGO_TEST_RING names, or else a new
// in-process ring of n nodes. A test that needs n daemons skips, saying
// why, when the real ring has fewer.
func RingDaemons(t testing.TB, n int) *RingTarget {
	t.Helper()
	if s := os.Getenv(EnvRing); s != "" {
		var names []string
		for _, d := range strings.Split(s, ",") {
			if d = strings.TrimSpace(d); d != "" {
				names = append(names, d)
			}
		}
		if len(names) < n {
			t.Skipf("spreadtest: %s lists %d daemons, this test needs %d", EnvRing, len(names), n)
		}
		return &RingTarget{Daemons: names[:n]}
	}
	r := Ring(t, n)
	target := &RingTarget{Ring: r}
	for _, d := range r.Nodes() {
		target.Daemons = append(target.Daemons, d.SpreadName())
	}
	return target
}

// Faults returns the in-process ring to inject faults into, or skips the
// test against a real ring, which spgo cannot crash or partition.
func (rt *RingTarget) Faults(t testing.TB) *daemon.Ring {
	t.Helper()
	if rt.Ring == nil {
		t.Skipf("spreadtest: this test injects faults (crash, partition, restart), which needs the in-process ring; %s names a real ring", EnvRing)
	}
	return rt.Ring
}
