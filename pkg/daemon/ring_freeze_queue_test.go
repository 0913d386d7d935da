package daemon_test

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// queuedFor returns the messages d has ordered for the session private
// and not yet written.
func queuedFor(t *testing.T, d *daemon.Daemon, private string) int {
	t.Helper()
	for _, s := range d.Status().Sessions {
		if s.PrivateGroup == private {
			return s.Queued
		}
	}
	t.Fatalf("%s has no session %s", d.Name(), private)
	return 0
}

// TestRingFrozenNodeWritesNothing: what a node had ordered for its client
// and not yet written when it froze is not written while it is frozen,
// however much room the client makes by reading; at the thaw it comes
// first, in order, before TRANSITION_MESS (it belongs to the old view).
func TestRingFrozenNodeWritesNothing(t *testing.T) {
	r, c, gid := frozenWithQueue(t)
	next := 0
	check := func(m *spread.RegularMessage) {
		t.Helper()
		if got := int(binary.BigEndian.Uint32(m.Data)); got != next || len(m.Data) != queueSize {
			t.Fatalf("got message %d (%d bytes), want %d (%d bytes)", got, len(m.Data), next, queueSize)
		}
		next++
	}
	// c reads what the node wrote before the freeze, which is in its
	// socket, until nothing comes for 200ms. A node that wrote while
	// frozen would go on filling the room c makes at once, far within
	// 200ms: c would get every message before the thaw.
	for {
		short, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		m, err := c.ReceiveContext(short)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		d, ok := m.(*spread.RegularMessage)
		if err != nil || !ok {
			t.Fatalf("while frozen: got %T, %v, want data or nothing", m, err)
		}
		check(d)
	}
	if next == queueTotal {
		t.Fatalf("the frozen node wrote all %d messages to its client", queueTotal)
	}
	if q := queuedFor(t, r.Node("d3"), c.PrivateGroup()); q != queueTotal-next {
		t.Fatalf("while frozen: %d messages queued, want the %d c has not got", q, queueTotal-next)
	}

	if err := r.Thaw("d3"); err != nil {
		t.Fatal(err)
	}
	for next < queueTotal {
		check(recvData(t, c))
	}
	wantTransition(t, recvMemb(t, c), gid)
	ac := []string{"#a#d1", "#c#d3"}
	wantView(t, recvMemb(t, c), ac, [][]string{{"#a#d1"}, {"#c#d3"}}, 1, proc1)
}

// TestRingFrozenNodeCrashedWithQueue: a frozen node that crashes dies
// without writing what it had queued: its client gets what was in its
// socket, in order, then the end of the connection.
func TestRingFrozenNodeCrashedWithQueue(t *testing.T) {
	r, c, _ := frozenWithQueue(t)
	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := 0
	for {
		m, err := c.ReceiveContext(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("the crashed node's client was not cut")
		}
		if err != nil {
			break
		}
		d, ok := m.(*spread.RegularMessage)
		if !ok || int(binary.BigEndian.Uint32(d.Data)) != got {
			t.Fatalf("after the crash, got %T, want message %d or the end", m, got)
		}
		got++
	}
	if got == queueTotal {
		t.Fatalf("the crashed frozen node wrote all %d messages", queueTotal)
	}
}

const queueTotal, queueSize = 64, 100_000

// frozenWithQueue has a@d1 send queueTotal messages to q, where c@d3 reads
// nothing, and freezes d3 once all are ordered: c's socket is full and the
// rest is queued in d3. It returns the ring, c, the view the messages were
// sent in.
func frozenWithQueue(t *testing.T) (r *daemon.Ring, c *spread.Mailbox, gid spread.GroupID) {
	t.Helper()
	r = startRing(t, 3)
	a := member(t, r.Node("d1"), "a", "q")
	c = member(t, r.Node("d3"), "c", "")
	if err := c.Join("q"); err != nil {
		t.Fatal(err)
	}
	gid = recvMemb(t, c).GroupID // the view a's messages are sent in
	recvMemb(t, a)
	// c reads nothing yet: its socket fills and the rest waits in d3.
	for i := range queueTotal {
		data := make([]byte, queueSize)
		binary.BigEndian.PutUint32(data, uint32(i))
		if err := a.Multicast(spread.ReliableMess|spread.SelfDiscard, "q", data, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Sync(ctx); err != nil { // every message is ordered
		t.Fatal(err)
	}
	if err := r.Freeze("d3"); err != nil {
		t.Fatal(err)
	}
	if queued := queuedFor(t, r.Node("d3"), c.PrivateGroup()); queued == 0 {
		t.Fatalf("all %d messages were written before the freeze: the test needs some still queued", queueTotal)
	}
	return r, c, gid
}
