package daemon_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// TestRingFreezeThaw: the others see a frozen node go as in a partition;
// it sees nothing; what its client sends while frozen is neither lost nor
// delivered in the old view: it comes after the merge view, to everyone.
func TestRingFreezeThaw(t *testing.T) {
	r := startRing(t, 3)
	a, b, c, gid := three(t, r)
	if err := r.Freeze("d3"); err != nil {
		t.Fatal(err)
	}
	ab := []string{"#a#d1", "#b#d2"}
	var alone spread.GroupID
	for _, mb := range []*spread.Mailbox{a, b} {
		wantTransition(t, recvMemb(t, mb), gid)
		v := recvMemb(t, mb)
		wantView(t, v, ab, [][]string{ab}, 0, proc1)
		alone = v.GroupID
	}
	if err := c.Multicast(spread.AgreedMess, "g", []byte("while frozen"), 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Sync(ctx); err != nil {
		t.Fatalf("sync while a node is frozen: %v", err)
	}
	if err := a.Multicast(spread.AgreedMess, "g", []byte("without c"), 0); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{a, b} {
		if m := recvData(t, mb); string(m.Data) != "without c" {
			t.Fatalf("%s: got %q in the view without c, want only %q", mb.PrivateGroup(), m.Data, "without c")
		}
	}
	if comps, _ := r.Layout(); !slices.Equal(r.Frozen(), []string{"d3"}) || len(comps) != 1 || !slices.Equal(comps[0], []string{"d1", "d2"}) {
		t.Fatalf("layout %v frozen %v, want d1,d2 and d3 frozen", comps, r.Frozen())
	}

	if err := r.Thaw("d3"); err != nil {
		t.Fatal(err)
	}
	// c learns it was left behind: TRANSITION_MESS with the id it had.
	wantTransition(t, recvMemb(t, c), gid)
	abc := []string{"#a#d1", "#b#d2", "#c#d3"}
	sets := [][]string{ab, {"#c#d3"}}
	for i, mb := range []*spread.Mailbox{a, b, c} {
		v := recvMemb(t, mb)
		wantView(t, v, abc, sets, i/2, proc1)
		if v.GroupID.Time <= alone.Time {
			t.Fatalf("%s: merge view time %d not after %d", mb.PrivateGroup(), v.GroupID.Time, alone.Time)
		}
		if m := recvData(t, mb); string(m.Data) != "while frozen" {
			t.Fatalf("%s: got %q after the merge, want c's %q", mb.PrivateGroup(), m.Data, "while frozen")
		}
	}
}

// TestRingFreezeFaults: what a frozen node allows and refuses, each
// refusal a *FaultError that changes nothing; a frozen node that crashes
// dies without waking.
func TestRingFreezeFaults(t *testing.T) {
	r := startRing(t, 3)
	a, b, c, gid := three(t, r)
	for _, tc := range []struct {
		do   func() error
		want string
	}{
		{func() error { return r.Thaw("d2") }, "daemon: node d2 is not frozen (freeze it first)"},
		{func() error { return r.Freeze("d9") }, `daemon: unknown node "d9", the nodes are d1, d2, d3`},
		{func() error { return r.Freeze("d3") }, ""},
		{func() error { return r.Freeze("d3") }, "daemon: node d3 is frozen already (thaw it first)"},
		{func() error { return r.Restart("d3") }, "daemon: node d3 is frozen, not crashed (thaw it, or crash it first)"},
		{func() error { return r.Crash("d3") }, ""},
		{func() error { return r.Thaw("d3") }, "daemon: node d3 is crashed, not frozen (restart it)"},
		{func() error { return r.Freeze("d3") }, "daemon: node d3 is crashed: only a running node can be frozen (restart it first)"},
	} {
		err := tc.do()
		var fe *daemon.FaultError
		switch {
		case tc.want == "" && err != nil:
			t.Fatal(err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.As(err, &fe)):
			t.Fatalf("got %v, want the FaultError %s", err, tc.want)
		}
	}
	ab := []string{"#a#d1", "#b#d2"}
	for _, mb := range []*spread.Mailbox{a, b} {
		wantTransition(t, recvMemb(t, mb), gid)
		wantView(t, recvMemb(t, mb), ab, [][]string{ab}, 0, proc1)
	}
	// The crash of the frozen node tells the others nothing more: the next
	// thing they get is what a says now.
	if err := a.Multicast(spread.AgreedMess, "g", []byte("after"), 0); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{a, b} {
		if m := recvData(t, mb); string(m.Data) != "after" {
			t.Fatalf("%s: got %q, want %q", mb.PrivateGroup(), m.Data, "after")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if m, err := c.ReceiveContext(ctx); err == nil {
		t.Fatalf("the crashed frozen node's client still receives: %+v", m)
	}
	if comps, crashed := r.Layout(); len(comps) != 1 || !slices.Equal(crashed, []string{"d3"}) || len(r.Frozen()) != 0 {
		t.Fatalf("layout %v crashed %v frozen %v", comps, crashed, r.Frozen())
	}
}
