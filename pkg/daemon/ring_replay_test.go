package daemon

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
)

// Ring captures (testdata/captures/README.md: three real daemons d1, d2, d3
// on 127.0.0.1/.2/.3) replay against an in-process ring: the header says
// which daemon each connection talks to, and each test names the faults
// and the lines they happened before. Group-id times must correspond one
// to one with the real run's.

// onNodeRe finds "A (on d1", "A on d1" or "A 'ay' (on d1" in a capture's
// header.
var onNodeRe = regexp.MustCompile(`\b([A-Z]) (?:'[^']*' )?\(?on (d[0-9]+)\b`)

// newRingReplayer starts a ring of n nodes and maps each connection of f
// to its node.
func newRingReplayer(t *testing.T, f *capture.File, n int) (*replayer, *Ring) {
	t.Helper()
	return newTimedRingReplayer(t, f, n, FaultTiming{})
}

// newTimedRingReplayer is newRingReplayer for a ring that tells faults
// with the given timing.
func newTimedRingReplayer(t *testing.T, f *capture.File, n int, timing FaultTiming) (*replayer, *Ring) {
	t.Helper()
	dir, err := os.MkdirTemp("", "spgoring")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ring, err := StartRing(RingConfig{Nodes: n, Node: Config{SocketDir: dir, NoUnixSocket: true}, Timing: timing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ring.Close() })
	r := newReplayer(t, ring.Nodes()[0], f)
	r.nodes = map[string]*Daemon{}
	r.faults = map[int]func(){}
	r.times = map[uint32]uint32{}
	var header []string
	for _, l := range f.Events[0].Notes {
		header = append(header, strings.TrimSpace(strings.TrimPrefix(l, "#")))
	}
	for _, m := range onNodeRe.FindAllStringSubmatch(strings.Join(header, " "), -1) {
		if r.nodes[m[1]] == nil {
			d := ring.Node(m[2])
			if d == nil {
				t.Fatalf("%s: connection %s on unknown node %s", f.Name, m[1], m[2])
			}
			r.nodes[m[1]] = d
		}
	}
	if len(r.nodes) == 0 {
		t.Fatalf("%s: header names no connection's node", f.Name)
	}
	return r, ring
}

// fault runs a fault, failing the test if it is refused.
func fault(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRingCapture33ServiceTypes: messages of every service type across
// three daemons, joins and disconnects spanning daemons.
func TestRingCapture33ServiceTypes(t *testing.T) {
	r, _ := newRingReplayer(t, loadCapture(t, "33"), 3)
	r.run(0)
}

// TestRingCapture34Crash: a member's daemon crashes (its client is cut,
// the others get TRANSITION_MESS and one vs set).
func TestRingCapture34Crash(t *testing.T) {
	f := loadCapture(t, "34")
	r, ring := newRingReplayer(t, f, 3)
	r.faults[lineOf(t, f, "C", capture.Close)] = func() { fault(t, ring.Crash("d3")) }
	r.run(0)
}

// lineOf is the line of the first event of kind on conn.
func lineOf(t *testing.T, f *capture.File, conn string, kind capture.Kind) int {
	t.Helper()
	for _, e := range f.Events {
		if e.Conn == conn && e.Kind == kind {
			return e.Line
		}
	}
	t.Fatalf("%s: no such event on %s", f.Name, conn)
	return 0
}

// membLine is the line of the n-th (from 1) membership unit of type typ
// (TRANSITION_MESS, CAUSED_BY_NETWORK) the daemon sent on conn; for conn
// "", the first line where some connection gets its n-th.
func membLine(t *testing.T, f *capture.File, conn string, typ uint32, n int) int {
	t.Helper()
	if conn == "" {
		first := 0
		for _, c := range f.Conns() {
			if l := membLineOr0(f, c, typ, n); l > 0 && (first == 0 || l < first) {
				first = l
			}
		}
		if first == 0 {
			t.Fatalf("%s: no connection has such a membership unit", f.Name)
		}
		return first
	}
	if l := membLineOr0(f, conn, typ, n); l > 0 {
		return l
	}
	t.Fatalf("%s: %s has no such membership unit", f.Name, conn)
	return 0
}

func membLineOr0(f *capture.File, conn string, typ uint32, n int) int {
	for _, e := range f.Events {
		if e.Conn != conn || e.Kind != capture.Unit || e.Dir != capture.DaemonToClient || len(e.Payload) < wire.HeaderSize {
			continue
		}
		if h, err := wire.DecodeHeader(e.Payload); err == nil && h.Type&typ == typ {
			if n--; n == 0 {
				return e.Line
			}
		}
	}
	return 0
}

// TestRingCapture30PartitionMerge: in the real run d2 was frozen
// (SIGSTOP): A saw TRANSITION_MESS and the view of d1 alone; d2 saw
// nothing while frozen, and when it continued B got TRANSITION_MESS (the
// group id from before the freeze) and both the merge view, B's vs set
// after A's (d2 formed a membership of its own).
func TestRingCapture30PartitionMerge(t *testing.T) {
	f := loadCapture(t, "30")
	r, ring := newRingReplayer(t, f, 2)
	r.faults[membLine(t, f, "A", wire.TransitionMess, 1)] = func() { fault(t, ring.Freeze("d2")) }
	r.faults[membLine(t, f, "B", wire.TransitionMess, 1)] = func() { fault(t, ring.Thaw("d2")) }
	r.run(0)
}

// TestRingCapture35PartitionMerge: a 2|1 partition (each side its own
// view, nothing crosses) and the merge (no TRANSITION_MESS, two vs sets).
func TestRingCapture35PartitionMerge(t *testing.T) {
	f := loadCapture(t, "35")
	r, ring := newRingReplayer(t, f, 3)
	r.faults[membLine(t, f, "", wire.TransitionMess, 1)] = func() { fault(t, ring.Partition([]string{"d1", "d2"}, []string{"d3"})) }
	r.faults[membLine(t, f, "", wire.RegMembMess|wire.CausedByNetwork, 2)] = func() { fault(t, ring.Heal()) }
	r.run(0)
}

// TestRingCapture36Restart: a crashed daemon restarts; the groups see
// nothing until a member joins on it, and the group id keeps the time of
// the view in which the group last changed.
func TestRingCapture36Restart(t *testing.T) {
	f := loadCapture(t, "36")
	r, ring := newRingReplayer(t, f, 3)
	r.faults[lineOf(t, f, "C", capture.Close)] = func() { fault(t, ring.Crash("d3")) }
	r.faults[lineOf(t, f, "D", capture.Open)] = func() { fault(t, ring.Restart("d3")) }
	r.run(0)
}

// TestRingCapture38CrashAtSend: d3 crashes as A and C send. The real ring
// had ordered none of them: C's messages are lost with d3, A's come after
// the new view. Here the crash is applied before A's first message, which
// is the order the real ring gave them.
func TestRingCapture38CrashAtSend(t *testing.T) {
	testCapture38(t, FaultTiming{})
}

// TestRingCapture38CrashAtSendTimed: the same with the crash told late:
// what A sends while the ring has lost its token waits, and comes after
// the view, as in the real run.
func TestRingCapture38CrashAtSendTimed(t *testing.T) {
	testCapture38(t, testTiming)
}

func testCapture38(t *testing.T, timing FaultTiming) {
	f := loadCapture(t, "38")
	r, ring := newTimedRingReplayer(t, f, 3, timing)
	first := 0
	for _, e := range f.Events {
		if e.Conn == "A" && e.Kind == capture.Unit && e.Dir == capture.ClientToDaemon && len(e.Payload) > 3 && e.Payload[0]&0x20 != 0 {
			first = e.Line // A's first SAFE message
			break
		}
	}
	r.faults[first] = func() { fault(t, ring.Crash("d3")) }
	r.run(0)
}

// TestRingCapture40MemberOrder: members in daemon order whatever the join
// order, two members on one daemon, a partition of that daemon (d2 |
// d1,d3) and the merge, vs sets ordered by the membership ids the sides
// come from.
func TestRingCapture40MemberOrder(t *testing.T) {
	f := loadCapture(t, "40")
	r, ring := newRingReplayer(t, f, 3)
	r.faults[membLine(t, f, "", wire.TransitionMess, 1)] = func() { fault(t, ring.Partition([]string{"d1", "d3"}, []string{"d2"})) }
	r.faults[membLine(t, f, "", wire.RegMembMess|wire.CausedByNetwork, 2)] = func() { fault(t, ring.Heal()) }
	r.run(0)
}

// TestRingCapture37SafeInTransition: d3 crashes while A sends SAFE and C
// AGREED messages. The real ring had ordered C's (everyone got them, C
// too) and eight of A's (A and B got them before TRANSITION_MESS); A's
// last two it could not make safe without d3: delivered in the
// transitional configuration, before the new view. Held steps give the
// same: C's messages, the crash (C cut, nobody told), eight of A's, the
// transitional step, A's last two, the regular step.
func TestRingCapture37SafeInTransition(t *testing.T) {
	f := loadCapture(t, "37")
	r, ring := newRingReplayer(t, f, 3)
	r.skip = map[int]bool{}
	var a, c []byte
	var aLines []int
	first, crash := 0, lineOf(t, f, "C", capture.Close)
	for _, e := range f.Events {
		if e.Kind != capture.Unit || e.Dir != capture.ClientToDaemon || len(e.Payload) < wire.HeaderSize {
			continue
		}
		if h, err := wire.DecodeHeader(e.Payload); err != nil || h.Sender[0] != '#' || h.Type&wire.RegularMess == 0 || e.Line > crash {
			continue // handshakes, joins, and the disconnects after the crash
		}
		if first == 0 {
			first = e.Line
		}
		r.skip[e.Line] = true
		if e.Conn == "A" {
			aLines = append(aLines, len(a))
			a = append(a, e.Payload...)
		} else {
			c = append(c, e.Payload...)
		}
	}
	if len(aLines) != 10 || len(c) == 0 {
		t.Fatalf("%s: %d SAFE messages of A, %d bytes of C's", f.Name, len(aLines), len(c))
	}
	step := func(wantDone bool) {
		done, err := ring.Step()
		if err != nil || done != wantDone {
			t.Fatalf("step: done %v %v, want %v", done, err, wantDone)
		}
	}
	r.faults[first] = func() {
		r.write("C", c)
		fault(t, ring.Hold())
		fault(t, ring.Crash("d3"))
		r.write("A", a[:aLines[8]])
		step(false)
		r.write("A", a[aLines[8]:])
		step(true)
	}
	r.run(0)
}

// TestRingCapture41FreezeThaw: d3 frozen on a three-daemon ring: A and B
// see it go as in a crash, C nothing; on the thaw C gets TRANSITION_MESS
// with the id from before the freeze, all three the merge view (two vs
// sets), and what A and C send next reaches everyone.
func TestRingCapture41FreezeThaw(t *testing.T) {
	f := loadCapture(t, "41")
	r, ring := newRingReplayer(t, f, 3)
	r.faults[membLine(t, f, "", wire.TransitionMess, 1)] = func() { fault(t, ring.Freeze("d3")) }
	r.faults[membLine(t, f, "C", wire.TransitionMess, 1)] = func() { fault(t, ring.Thaw("d3")) }
	r.run(0)
}

// sentLine is the line of conn's first client message of type typ.
func sentLine(t *testing.T, f *capture.File, conn string, typ uint32) int {
	t.Helper()
	return sentLineN(t, f, conn, typ, 1)
}

// sentLineN is the line of conn's n-th (from 1) client message of type
// typ.
func sentLineN(t *testing.T, f *capture.File, conn string, typ uint32, n int) int {
	t.Helper()
	for _, e := range f.Events {
		if e.Conn != conn || e.Kind != capture.Unit || e.Dir != capture.ClientToDaemon || len(e.Payload) < wire.HeaderSize {
			continue
		}
		if h, err := wire.DecodeHeader(e.Payload); err == nil && h.Sender[0] == '#' && h.Type&typ == typ {
			if n--; n == 0 {
				return e.Line
			}
		}
	}
	t.Fatalf("%s: %s sends no such message", f.Name, conn)
	return 0
}

// testTiming is a FaultTiming short enough for tests.
var testTiming = FaultTiming{Notice: 300 * time.Millisecond, Merge: 200 * time.Millisecond, Heal: 200 * time.Millisecond, Fold: 10 * time.Second}

// TestRingCapture42ShortFreeze: d3 frozen for less than the others take
// to notice: nobody gets a membership message, and what A sent meanwhile
// waits for the ring to re-form, then reaches all three in the view it
// was sent in.
func TestRingCapture42ShortFreeze(t *testing.T) {
	f := loadCapture(t, "42")
	timing := testTiming
	timing.Fold = 0 // the thaw came after the token timeout (2.3 s after the stop)
	r, ring := newTimedRingReplayer(t, f, 3, timing)
	r.faults[sentLine(t, f, "A", wire.AgreedMess)] = func() {
		fault(t, ring.Freeze("d3"))
		fault(t, ring.Thaw("d3"))
		select {
		case <-ring.Settled():
			t.Fatal("no change pending after a freeze with real timing")
		default:
		}
	}
	r.run(0)
}

// TestRingCapture43Cascade: d3 crashes, then d2 before the ring noticed:
// A gets one change, straight to itself alone, when the first was due.
func TestRingCapture43Cascade(t *testing.T) {
	f := loadCapture(t, "43")
	r, ring := newTimedRingReplayer(t, f, 3, testTiming)
	r.faults[lineOf(t, f, "C", capture.Close)] = func() { fault(t, ring.Crash("d3")) }
	r.faults[lineOf(t, f, "B", capture.Close)] = func() { fault(t, ring.Crash("d2")) }
	r.run(0)
}

// TestRingCapture44CascadeHeld: the same cascade told in held steps: the
// second crash, before the first step, folds into the held change.
func TestRingCapture44CascadeHeld(t *testing.T) {
	f := loadCapture(t, "44")
	r, ring := newRingReplayer(t, f, 3)
	r.faults[lineOf(t, f, "C", capture.Close)] = func() {
		fault(t, ring.Hold())
		fault(t, ring.Crash("d3"))
	}
	r.faults[lineOf(t, f, "B", capture.Close)] = func() {
		fault(t, ring.Crash("d2"))
		for i, wantDone := range []bool{false, true} {
			if done, err := ring.Step(); err != nil || done != wantDone {
				t.Fatalf("step %d: done %v %v, want %v", i+1, done, err, wantDone)
			}
		}
	}
	r.run(0)
}

// sendAhead writes b as conn without waiting for its node to read it (a
// frozen node reads nothing); later writes wait for these bytes too.
func (r *replayer) sendAhead(conn string, b []byte) {
	r.t.Helper()
	c := r.conns[conn]
	c.SetWriteDeadline(time.Now().Add(replayTimeout))
	n, err := c.Write(r.rename(b))
	if err != nil {
		r.t.Fatalf("%s: %s: write: %v", r.f.Name, conn, err)
	}
	r.written[conn] += int64(n)
}

// unitAtLine is the payload of the event on line.
func unitAtLine(t *testing.T, f *capture.File, line int) []byte {
	t.Helper()
	for _, e := range f.Events {
		if e.Line == line {
			return e.Payload
		}
	}
	t.Fatalf("%s: no event on line %d", f.Name, line)
	return nil
}

// TestRingCapture45FreezeSends: d3 frozen while A (on d1) and C (on d3)
// send. A's message waits for the ring to re-form and comes right after
// the new view, to A and B; C's waits in its socket until the thaw and
// comes right after the merge view, to all three.
func TestRingCapture45FreezeSends(t *testing.T) {
	f := loadCapture(t, "45")
	r, ring := newTimedRingReplayer(t, f, 3, testTiming)
	r.skip = map[int]bool{}
	cLine := sentLine(t, f, "C", wire.AgreedMess)
	r.skip[cLine] = true
	r.faults[sentLine(t, f, "A", wire.AgreedMess)] = func() { fault(t, ring.Freeze("d3")) }
	r.faults[cLine] = func() { r.sendAhead("C", unitAtLine(t, f, cLine)) }
	r.faults[membLine(t, f, "C", wire.TransitionMess, 1)] = func() { fault(t, ring.Thaw("d3")) }
	r.run(0)
}

// TestRingCapture47PartitionSends: senders on both sides of a partition
// and its heal: what each side sends while the ring re-forms comes right
// after its side's view, and what it sends before the merge stays on its
// side, in the old view.
func TestRingCapture47PartitionSends(t *testing.T) {
	f := loadCapture(t, "47")
	timing := testTiming
	timing.Heal = 2 * time.Second // the replay sends both sides' messages well within it
	r, ring := newTimedRingReplayer(t, f, 3, timing)
	r.faults[sentLine(t, f, "A", wire.AgreedMess)] = func() { fault(t, ring.Partition([]string{"d1", "d2"}, []string{"d3"})) }
	r.faults[sentLineN(t, f, "A", wire.AgreedMess, 2)] = func() { fault(t, ring.Heal()) } // before 'a-after-heal'
	r.run(0)
}

// TestRingCapture46CrashSendsInWindow: A and B send while d3's crash is
// being detected. Nothing is delivered until the new view; then the
// backlog comes daemon by daemon: d1's messages in its clients' order,
// then d2's, whatever order they were sent in.
func TestRingCapture46CrashSendsInWindow(t *testing.T) {
	f := loadCapture(t, "46")
	r, ring := newTimedRingReplayer(t, f, 3, testTiming)
	r.skip = map[int]bool{}
	window := []int{sentLineN(t, f, "A", wire.AgreedMess, 1), sentLineN(t, f, "B", wire.AgreedMess, 1), sentLine(t, f, "A", wire.SafeMess)}
	for _, l := range window {
		r.skip[l] = true
	}
	r.faults[lineOf(t, f, "C", capture.Close)] = func() { fault(t, ring.Crash("d3")) }
	r.faults[window[0]] = func() {
		for i, conn := range []string{"A", "B", "A"} {
			r.sendAhead(conn, unitAtLine(t, f, window[i]))
		}
	}
	r.run(0)
}

// TestRingCapture48FreezeRepresentative: the representative d1 frozen:
// the others' view is led by d2; after the thaw the merge is led by d1
// again, A's vs set first.
func TestRingCapture48FreezeRepresentative(t *testing.T) {
	f := loadCapture(t, "48")
	r, ring := newRingReplayer(t, f, 3)
	r.faults[membLine(t, f, "", wire.TransitionMess, 1)] = func() { fault(t, ring.Freeze("d1")) }
	r.faults[membLine(t, f, "A", wire.TransitionMess, 1)] = func() { fault(t, ring.Thaw("d1")) }
	r.run(0)
}
