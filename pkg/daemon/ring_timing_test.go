package daemon_test

import (
	"os"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// startTimedRing starts a ring of n nodes that tells faults with timing.
func startTimedRing(t *testing.T, n int, timing daemon.FaultTiming) *daemon.Ring {
	t.Helper()
	dir, err := os.MkdirTemp("", "spgoring")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: n, Node: daemon.Config{SocketDir: dir}, Timing: timing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestRingCrashTiming: with a Notice delay, a listener on d1 sees d3's
// crash as a network view no sooner than the delay after the call, and
// what it sends in the window comes after the view (the ring lost its
// token); without one, the view is sent before Crash returns.
func TestRingCrashTiming(t *testing.T) {
	const notice = 400 * time.Millisecond
	for _, timed := range []bool{true, false} {
		var timing daemon.FaultTiming
		if timed {
			timing.Notice = notice
		}
		r := startTimedRing(t, 3, timing)
		a, b, _, gid := three(t, r)
		start := time.Now()
		if err := r.Crash("d3"); err != nil {
			t.Fatal(err)
		}
		select {
		case <-r.Settled():
			if timed {
				t.Fatal("timed crash: settled at once")
			}
		default:
			if !timed {
				t.Fatal("instant crash: a change is still pending when Crash returns")
			}
		}
		if err := a.Multicast(spread.AgreedMess, "g", []byte("in the window"), 0); err != nil {
			t.Fatal(err)
		}
		ab := []string{"#a#d1", "#b#d2"}
		for _, mb := range []*spread.Mailbox{a, b} {
			wantTransition(t, recvMemb(t, mb), gid)
			wantView(t, recvMemb(t, mb), ab, [][]string{ab}, 0, proc1)
			if m := recvData(t, mb); string(m.Data) != "in the window" {
				t.Fatalf("%s: got %q after the view", mb.PrivateGroup(), m.Data)
			}
		}
		if elapsed := time.Since(start); timed && elapsed < notice {
			t.Fatalf("the crash was told %v after the call, before the Notice delay %v", elapsed, notice)
		}
		<-r.Settled()
	}
}

// TestRingHealTiming: with a Heal delay the sides go on alone until the
// merge: a message sent in the window stays on its side.
func TestRingHealTiming(t *testing.T) {
	const heal = 300 * time.Millisecond
	r := startTimedRing(t, 3, daemon.FaultTiming{Heal: heal})
	a, b, c, gid := three(t, r)
	if err := r.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{a, b, c} {
		wantTransition(t, recvMemb(t, mb), gid)
		recvMemb(t, mb)
	}
	start := time.Now()
	if err := r.Heal(); err != nil {
		t.Fatal(err)
	}
	if err := c.Multicast(spread.AgreedMess, "g", []byte("c's side"), 0); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, c); string(m.Data) != "c's side" {
		t.Fatalf("c got %q", m.Data)
	}
	for _, mb := range []*spread.Mailbox{a, b, c} {
		if v := recvMemb(t, mb); v.Cause != spread.CauseNetwork || len(v.VSSets) != 2 {
			t.Fatalf("%s: want the merge view, got %+v", mb.PrivateGroup(), v)
		}
	}
	if elapsed := time.Since(start); elapsed < heal {
		t.Fatalf("merged %v after the heal, before the Heal delay %v", elapsed, heal)
	}
}

// TestRingCascadeLate: a second crash after the Fold window catches the
// ring re-forming: the members are told once, of both, no sooner than
// Notice after the second crash.
func TestRingCascadeLate(t *testing.T) {
	const notice = 300 * time.Millisecond
	r := startTimedRing(t, 3, daemon.FaultTiming{Notice: notice}) // Fold 0: every later crash starts the wait again
	a, _, _, gid := three(t, r)
	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	second := time.Now()
	if err := r.Crash("d2"); err != nil {
		t.Fatal(err)
	}
	wantTransition(t, recvMemb(t, a), gid)
	wantView(t, recvMemb(t, a), []string{"#a#d1"}, [][]string{{"#a#d1"}}, 0, proc1)
	if elapsed := time.Since(second); elapsed < notice {
		t.Fatalf("told %v after the second crash, before Notice %v", elapsed, notice)
	}
}

// TestRingTimingErrors: a negative delay is refused; Hold waits for a
// timed change to be told.
func TestRingTimingErrors(t *testing.T) {
	_, err := daemon.StartRing(daemon.RingConfig{Nodes: 2, Timing: daemon.FaultTiming{Merge: -time.Second}})
	if err == nil || err.Error() != "daemon: FaultTiming.Merge -1s is negative: give 0 (at once) or a delay" {
		t.Fatalf("negative Merge: %v", err)
	}
	r := startTimedRing(t, 2, daemon.FaultTiming{Notice: time.Hour})
	if err := r.Crash("d2"); err != nil {
		t.Fatal(err)
	}
	if err := r.Hold(); err == nil {
		t.Fatal("hold accepted while a timed change is pending")
	}
}

// TestRingFreezeShorterThanFold: a node thawed within the Fold window (a
// real ring's token timeout) was never missed: the change ends at the
// thaw, nobody gets a membership message, and what was sent meanwhile is
// delivered in the view it was sent in.
func TestRingFreezeShorterThanFold(t *testing.T) {
	r := startTimedRing(t, 3, daemon.FaultTiming{Notice: time.Hour, Fold: time.Hour})
	a, b, c, _ := three(t, r)
	if err := r.Freeze("d3"); err != nil {
		t.Fatal(err)
	}
	if err := a.Multicast(spread.AgreedMess, "g", []byte("during"), 0); err != nil {
		t.Fatal(err)
	}
	if err := r.Thaw("d3"); err != nil {
		t.Fatal(err)
	}
	<-r.Settled() // long before Notice
	for _, mb := range []*spread.Mailbox{a, b, c} {
		if m := recvData(t, mb); string(m.Data) != "during" {
			t.Fatalf("%s: got %q", mb.PrivateGroup(), m.Data)
		}
	}
}
