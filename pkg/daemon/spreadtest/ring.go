package spreadtest

import (
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
)

// Ring starts a ring of n nodes named d1..dn in one process (node K on
// 127.0.0.K, one free port, Unix sockets under a temporary directory) and
// registers its Close with t.Cleanup. The returned ring gives the nodes
// (Nodes, Node) and the faults (Crash, Partition, Heal, Restart). Options
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
