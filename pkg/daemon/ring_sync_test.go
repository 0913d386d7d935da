package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// What a client flushed before Sync is ordered before a crash that
// follows it: the receiver on the other node gets every message, then the
// view without the crashed node, although the crash cuts the sender's
// connection at once. Several barriers at the same time all return.
func TestRingSyncBeforeCrash(t *testing.T) {
	const n = 500
	r := startRing(t, 2)
	sender := member(t, r.Node("d1"), "s", "g")
	receiver := member(t, r.Node("d2"), "r", "g")
	recvMemb(t, sender) // r's join
	for i := range n {
		if err := sender.Multicast(spread.FIFOMess, "g", fmt.Appendf(nil, "%d", i), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := sender.Flush(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- r.Sync(ctx) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Crash("d1"); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		m := recv(t, receiver)
		data, ok := m.(*spread.RegularMessage)
		if !ok || string(data.Data) != fmt.Sprint(i) {
			t.Fatalf("message %d of %d: got %#v, want data %q before the crash's views", i+1, n, m, fmt.Sprint(i))
		}
	}
	if m := recvMemb(t, receiver); m.Cause != spread.CauseTransition {
		t.Fatalf("after the messages: %v, want the transitional view", m.Cause)
	}
}

// Sync of an idle ring returns; Sync of a closed ring fails with
// ErrRingStopped.
func TestRingSyncErrors(t *testing.T) {
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 1, Node: daemon.Config{NoUnixSocket: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Sync(context.Background()); err != nil {
		t.Fatalf("sync of an idle ring: %v", err)
	}
	r.Close()
	if err := r.Sync(context.Background()); !errors.Is(err, daemon.ErrRingStopped) {
		t.Fatalf("sync of a closed ring: %v, want ErrRingStopped", err)
	}
}
