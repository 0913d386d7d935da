package tap_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/spread"
	"github.com/spgo/spgo/pkg/tap"
)

// joinRoundTrip joins g and returns how long the own membership took.
func joinRoundTrip(t *testing.T, mb *spread.Mailbox, g string) time.Duration {
	t.Helper()
	start := time.Now()
	if err := mb.Join(g); err != nil {
		t.Fatal(err)
	}
	receiveUntil(t, mb, func(m spread.Message) bool { _, ok := m.(*spread.MembershipMessage); return ok })
	return time.Since(start)
}

// --cut-after 4 on D>C lets the handshake's four daemon units through
// (offer, accept, version, private group), then closes both sides: the
// client's next receive finds the connection closed.
func TestCutAfter(t *testing.T) {
	d := startDaemon(t)
	fs := newFrames()
	tp := startTap(t, d.SpreadName(), tap.Config{Faults: tap.Faults{Direction: tap.DaemonToClient, CutAfter: 4}}, fs)
	mb, err := spread.Connect(tp.SpreadName(), spread.WithName("alice"))
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Disconnect()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = mb.ReceiveContext(ctx)
	var se *spread.Error
	if !errors.As(err, &se) || se.Code != spread.ConnectionClosed {
		t.Fatalf("receive after the cut: %v, want CONNECTION_CLOSED", err)
	}
	c := fs.waitFor(t, "the close", func(f *tap.Frame) bool { return f.Kind == tap.KindClose })
	if c.By != "T" || c.Session != "#alice#d1" || c.Summary() != "close by tap: cut after 4 frames" {
		t.Fatalf("close frame %+v (%s)", c, c.Summary())
	}
}

// A stall after the handshake holds the join's answer back for the stall.
func TestStallAfter(t *testing.T) {
	d := startDaemon(t)
	const stall = 300 * time.Millisecond
	tp := startTap(t, d.SpreadName(), tap.Config{Faults: tap.Faults{Direction: tap.DaemonToClient, StallAfter: 4, Stall: stall}}, nil)
	mb, err := spread.Connect(tp.SpreadName(), spread.WithName("alice"))
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Disconnect()
	if rt := joinRoundTrip(t, mb, "g"); rt < stall*8/10 {
		t.Fatalf("join answered after %v through a %v stall", rt, stall)
	}
	// The stall is over: the next round trip is quick again.
	if rt := joinRoundTrip(t, mb, "h"); rt > stall/2 {
		t.Fatalf("second join answered after %v: the stall did not end", rt)
	}
}

// A delay on C>D shows in every round trip, and only in the sessions the
// filter selects.
func TestDelaySelectedSessions(t *testing.T) {
	d := startDaemon(t)
	const delay = 150 * time.Millisecond
	tp := startTap(t, d.SpreadName(), tap.Config{Sessions: []string{"slow"},
		Faults: tap.Faults{Direction: tap.ClientToDaemon, Delay: delay, Jitter: 10 * time.Millisecond}}, nil)
	slow, err := spread.Connect(tp.SpreadName(), spread.WithName("slow"))
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Disconnect()
	fast, err := spread.Connect(tp.SpreadName(), spread.WithName("fast"))
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Disconnect()
	for _, g := range []string{"g1", "g2"} {
		if rt := joinRoundTrip(t, slow, g); rt < delay {
			t.Fatalf("slow join answered after %v through a %v delay", rt, delay)
		}
	}
	if rt := joinRoundTrip(t, fast, "f"); rt >= delay {
		t.Fatalf("an unselected session's join took %v: the delay reached it", rt)
	}
}
