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
// and not yet written, and the bytes it has written to it.
func queuedFor(t *testing.T, d *daemon.Daemon, private string) (queued int, written uint64) {
	t.Helper()
	for _, s := range d.Status().Sessions {
		if s.PrivateGroup == private {
			return s.Queued, s.BytesOut
		}
	}
	t.Fatalf("%s has no session %s", d.Name(), private)
	return 0, 0
}

// TestRingFrozenNodeWritesNothing: what a node had ordered for its client
// and not yet written when it froze is not written while it is frozen,
// however much room the client makes by reading; at the thaw it comes
// first, in order, before TRANSITION_MESS (it belongs to the old view).
func TestRingFrozenNodeWritesNothing(t *testing.T) {
	r, c, gid, queued, written := frozenWithQueue(t)
	next := 0
	recvNext := func() {
		t.Helper()
		m := recvData(t, c)
		if got := int(binary.BigEndian.Uint32(m.Data)); got != next || len(m.Data) != queueSize {
			t.Fatalf("got message %d (%d bytes), want %d (%d bytes)", got, len(m.Data), next, queueSize)
		}
		next++
	}
	// What was written before the freeze is in c's socket: c gets it.
	for next < queueTotal-queued {
		recvNext()
	}
	// Nothing more, though c has made room: a short wait stands for "never"
	// (a frozen node that wrote would have written long before 200ms), and
	// the queue's counters show that nothing was written meanwhile.
	short, cancelShort := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelShort()
	if m, err := c.ReceiveContext(short); !errors.Is(err, context.DeadlineExceeded) {
		if d, ok := m.(*spread.RegularMessage); ok {
			t.Fatalf("the frozen node wrote message %d to its client", binary.BigEndian.Uint32(d.Data))
		}
		t.Fatalf("while frozen: got %T, %v, want nothing", m, err)
	}
	if q, w := queuedFor(t, r.Node("d3"), c.PrivateGroup()); q != queued || w != written {
		t.Fatalf("while frozen: %d queued, %d bytes written, want %d and %d as at the freeze", q, w, queued, written)
	}

	if err := r.Thaw("d3"); err != nil {
		t.Fatal(err)
	}
	for next < queueTotal {
		recvNext()
	}
	wantTransition(t, recvMemb(t, c), gid)
	ac := []string{"#a#d1", "#c#d3"}
	wantView(t, recvMemb(t, c), ac, [][]string{{"#a#d1"}, {"#c#d3"}}, 1, proc1)
}

// TestRingFrozenNodeCrashedWithQueue: a frozen node that crashes dies
// without writing what it had queued: its client gets what was in its
// socket, then the end of the connection.
func TestRingFrozenNodeCrashedWithQueue(t *testing.T) {
	r, c, _, queued, _ := frozenWithQueue(t)
	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	got := 0
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		m, err := c.ReceiveContext(ctx)
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("the crashed node's client was not cut")
			}
			break
		}
		if _, ok := m.(*spread.RegularMessage); !ok {
			t.Fatalf("after the crash, got %T, want data or the end", m)
		}
		got++
	}
	if got != queueTotal-queued {
		t.Fatalf("got %d messages, want the %d written before the freeze", got, queueTotal-queued)
	}
}

const queueTotal, queueSize = 64, 100_000

// frozenWithQueue has a@d1 send queueTotal messages to q, where c@d3 reads
// nothing, and freezes d3 once all are ordered: c's socket is full and the
// rest is queued in d3. It returns the ring, c, the view the messages were
// sent in, and what d3 had queued for c and written to it at the freeze.
func frozenWithQueue(t *testing.T) (r *daemon.Ring, c *spread.Mailbox, gid spread.GroupID, queued int, written uint64) {
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
	queued, written = queuedFor(t, r.Node("d3"), c.PrivateGroup())
	if queued == 0 {
		t.Fatalf("all %d messages were written before the freeze: the test needs some still queued", queueTotal)
	}
	return r, c, gid, queued, written
}
