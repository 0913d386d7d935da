package daemon

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// TestSlowConsumerKilled follows capture 29: S joins 'fl' and 'watch' and
// never reads; a sender floods 'fl'; when S has MaxSessionMessages queued
// the daemon kills it and W (in 'watch') gets exactly the captured
// CAUSED_BY_DISCONNECT.
func TestSlowConsumerKilled(t *testing.T) {
	d := startTest(t)
	r := newReplayer(t, d, loadCapture(t, "29"))
	r.run(35) // W connects and joins 'watch'
	slow := connect(t, d, "slow", true)
	slow.join("fl")
	slow.join("watch")
	r.expectUnit("W", r.unitAt(35)) // W sees S join
	snd := connect(t, d, "flooder", false)
	stop := make(chan struct{})
	done := make(chan int)
	go func() {
		frame := snd.appendMsg(nil, wire.ReliableMess, []string{"fl"}, 0, make([]byte, 1000))
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			if _, err := snd.c.Write(frame); err != nil {
				done <- n
				return
			}
			n++
		}
	}()
	r.expectUnit("W", r.unitAt(41)) // CAUSED_BY_DISCONNECT for #slow#localhost in 'watch'
	close(stop)
	n := <-done
	if st := d.Stats(); st.Kills != 1 || st.Sessions != 2 {
		t.Fatalf("after %d messages: %+v, want 1 kill and 2 sessions", n, st)
	}
	// S can read what reached its socket, then sees the close.
	slow.expectClosed()
	r.write("W", r.unitAt(45))
}

// TestFaultsOnlyTheCulpritEnds: garbage, an oversized length, half a
// header then close, half a body then close: each ends only that session
// (its groups see DISCONNECT); a bystander pair keeps exchanging messages.
func TestFaultsOnlyTheCulpritEnds(t *testing.T) {
	d := startTest(t)
	w := connect(t, d, "w", true)
	w.join("f")
	w.expectMembership(wire.CausedByJoin, "f", "#w#localhost")
	peer := connect(t, d, "peer", false)
	cases := map[string]func(cl *rawClient){
		"garbage": func(cl *rawClient) {
			junk := make([]byte, 4096)
			for i := range junk {
				junk[i] = byte(rand.IntN(256))
			}
			junk[0], junk[3] = 0x80, 0x80 // a plausible LE marker, then nonsense
			cl.writeRaw(junk)
		},
		"hugeLength": func(cl *rawClient) {
			cl.writeRaw(rawHeader(wire.AgreedMess|wire.EndianMarker, cl.pgroup, 1, wire.EndianMarker, 0x7ffffff0))
		},
		"negativeGroups": func(cl *rawClient) {
			cl.writeRaw(rawHeader(wire.AgreedMess|wire.EndianMarker, cl.pgroup, 0xffffffff, wire.EndianMarker, 1))
		},
		"halfHeaderClose": func(cl *rawClient) {
			cl.writeRaw(cl.appendMsg(nil, wire.AgreedMess, []string{"f"}, 0, []byte("x"))[:20])
			cl.c.Close()
		},
		"halfBodyClose": func(cl *rawClient) {
			cl.writeRaw(cl.appendMsg(nil, wire.AgreedMess, []string{"f"}, 0, make([]byte, 5000))[:3000])
			cl.c.Close()
		},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			cl := connect(t, d, "x", true)
			cl.join("f")
			cl.expectMembership(wire.CausedByJoin, "f", "#w#localhost", "#x#localhost")
			w.expectMembership(wire.CausedByJoin, "f", "#w#localhost", "#x#localhost")
			fault(cl)
			w.expectMembership(wire.CausedByDisconnect, "f", "#w#localhost")
			peer.send(wire.AgreedMess, []string{"f"}, 1, []byte("still here"))
			w.expectData([]byte("still here"))
		})
	}
	if st := d.Stats(); st.Sessions != 2 {
		t.Fatalf("sessions %d, want 2", st.Sessions)
	}
}

// TestFaultStalledReaderDuringFlood: several senders flood several groups;
// one member stops reading. Only it ends; every other receiver gets every
// message, all in one order; the daemon's memory stays bounded.
func TestFaultStalledReaderDuringFlood(t *testing.T) {
	const limit = 200
	d := startTest(t, func(c *Config) { c.MaxSessionMessages = limit })
	groups := []string{"g1", "g2", "g3"}
	all := connect(t, d, "all", false) // in every group
	one := connect(t, d, "one", false) // in g1 only
	stall := connect(t, d, "stall", false)
	for _, g := range groups {
		all.join(g)
		stall.join(g)
	}
	one.join("g1")
	waitMembers(t, d, "g1", 3)
	waitMembers(t, d, "g3", 2)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse

	const perSender = 3000
	senders := 3
	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		cl := connect(t, d, fmt.Sprintf("s%d", s), false)
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := make([]byte, 1000)
			var buf []byte
			for i := 0; i < perSender; i++ {
				g := groups[i%len(groups)]
				binary.LittleEndian.PutUint32(body, uint32(s<<24|i))
				buf = cl.appendMsg(buf[:0], wire.FIFOMess, []string{g}, 0, body)
				if _, err := cl.c.Write(buf); err != nil {
					t.Errorf("sender %d: %v", s, err)
					return
				}
			}
		}()
	}
	var allSeq, oneSeq []uint32
	var peak uint64
	var rwg sync.WaitGroup
	rwg.Add(2)
	go func() {
		defer rwg.Done()
		for len(allSeq) < senders*perSender {
			m := all.recv()
			allSeq = append(allSeq, binary.LittleEndian.Uint32(m.Body))
			if len(allSeq)%1000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	go func() {
		defer rwg.Done()
		for len(oneSeq) < senders*perSender/3 {
			m := one.recv()
			oneSeq = append(oneSeq, binary.LittleEndian.Uint32(m.Body))
		}
	}()
	wg.Wait()
	rwg.Wait()
	stall.expectClosed()
	// one's messages appear in all's order, and every sender's in FIFO order.
	pos := map[uint32]int{}
	for i, v := range allSeq {
		pos[v] = i
	}
	last := -1
	for _, v := range oneSeq {
		if p, ok := pos[v]; !ok || p <= last {
			t.Fatalf("message %x out of the common order", v)
		} else {
			last = p
		}
	}
	next := make([]uint32, senders)
	for _, v := range allSeq {
		s, i := v>>24, v&0xffffff
		if i != next[s] {
			t.Fatalf("sender %d: got %d, want %d", s, i, next[s])
		}
		next[s]++
	}
	if st := d.Stats(); st.Kills != 1 {
		t.Fatalf("kills %d, want 1 (the stalled reader)", st.Kills)
	}
	// Bounded: the stalled session may hold `limit` messages of ~1 KB plus
	// buffers; far below what 9000 queued messages would take.
	if grow := int64(peak) - int64(base); grow > 64<<20 {
		t.Fatalf("heap grew by %d MB during the flood", grow>>20)
	}
}

// TestTotalOrderAcrossGroups: messages to different groups from different
// senders, plus joins and leaves, reach every receiver in one order.
func TestTotalOrderAcrossGroups(t *testing.T) {
	d := startTest(t)
	r1 := connect(t, d, "r1", true) // g1 and g2
	r2 := connect(t, d, "r2", true) // g1
	r3 := connect(t, d, "r3", true) // g2
	r1.join("g1")
	r1.expectMembership(wire.CausedByJoin, "g1", "#r1#localhost")
	r1.join("g2")
	r1.expectMembership(wire.CausedByJoin, "g2", "#r1#localhost")
	r2.join("g1")
	r2.expectMembership(wire.CausedByJoin, "g1", "#r1#localhost", "#r2#localhost")
	r1.expectMembership(wire.CausedByJoin, "g1", "#r1#localhost", "#r2#localhost")
	r3.join("g2")
	r3.expectMembership(wire.CausedByJoin, "g2", "#r1#localhost", "#r3#localhost")
	r1.expectMembership(wire.CausedByJoin, "g2", "#r1#localhost", "#r3#localhost")
	a := connect(t, d, "a", false)
	b := connect(t, d, "b", false)
	var wg sync.WaitGroup
	for k, cl := range []*rawClient{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := 0; i < 500; i++ {
				g := []string{"g1", "g2", "g1,g2"}[i%3]
				buf = cl.appendMsg(buf[:0], wire.AgreedMess, strings.Split(g, ","), 0, []byte(fmt.Sprintf("%d-%d", k, i)))
				cl.c.Write(buf)
			}
		}()
	}
	// A member joins and leaves g1 in the middle of the flood.
	x := connect(t, d, "x", false)
	x.join("g1")
	x.leave("g1")
	wg.Wait()
	read := func(cl *rawClient, n int) []string {
		var out []string
		for len(out) < n {
			m, err := cl.tryRecv(2 * time.Second)
			if err != nil {
				memb := []string{}
				for _, o := range out {
					if strings.HasPrefix(o, "memb") {
						memb = append(memb, o)
					}
				}
				t.Fatalf("%s: got %d of %d: %v (stats %+v) %q", cl.pgroup, len(out), n, err, d.Stats(), memb)
			}
			if m.Type&wire.RegularMess != 0 {
				out = append(out, string(m.Body))
			} else {
				out = append(out, fmt.Sprintf("memb %x %s %d", m.Type, m.Sender.String(), len(m.Groups)))
			}
		}
		return out
	}
	// r1 gets x's join and leave in g1 and 1000 messages; r2 gets x's
	// join and leave and the g1 traffic (g1 and g1,g2 from two senders).
	all := read(r1, 2+1000)
	sub := read(r2, 2+2*(167+166))
	pos := map[string]int{}
	for i, v := range all {
		pos[v] = i
	}
	last := -1
	for _, v := range sub {
		p, ok := pos[v]
		if !ok || p <= last {
			t.Fatalf("r2 saw %q out of r1's order", v)
		}
		last = p
	}
}

// TestNoGoroutineLeakAfterClose: after Close every daemon goroutine has
// ended, with sessions in every state at the time.
func TestNoGoroutineLeakAfterClose(t *testing.T) {
	d, err := Start(Config{Name: "localhost", SocketDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	live := connect(t, d, "live", true)
	live.join("g")
	live.expectMembership(wire.CausedByJoin, "g", "#live#localhost")
	hs := dial(t, d) // stuck before its hello
	hs2 := dial(t, d)
	hs2.Write(wire.AppendHello(nil, 1, "half")) // stuck after the offer
	notReading := connect(t, d, "nr", true)
	notReading.join("g")
	for i := 0; i < 3000; i++ { // fill the non-reader's socket
		live.send(wire.AgreedMess, []string{"g"}, 0, make([]byte, 1000))
	}
	pc, ps := net.Pipe()
	d.ServeConn(ps)
	defer pc.Close()
	d.Close()
	// Clients see the close.
	live.expectClosed()
	hs.SetReadDeadline(time.Now().Add(clientTimeout))
	if _, err := hs.Read(make([]byte, 1)); !isClosed(err) {
		t.Fatalf("handshaking client: %v", err)
	}
	// A goroutine that has signalled the WaitGroup may still be returning:
	// allow it a moment; anything still there after that is a leak. A
	// goroutine's end is no event anyone can wait on, so this polls.
	leaked := daemonGoroutines()
	for deadline := time.Now().Add(time.Second); leaked != "" && time.Now().Before(deadline); leaked = daemonGoroutines() {
		time.Sleep(time.Millisecond)
	}
	if leaked != "" {
		t.Fatalf("goroutines left after Close:\n%s", leaked)
	}
	if d.Close() != nil {
		t.Fatal("second Close failed")
	}
}

// daemonGoroutines returns the stacks of goroutines running daemon code.
func daemonGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		s := string(g)
		for _, fn := range []string{"daemon.(*session).", "daemon.(*Daemon).", "daemon.(*sequencer).", "daemon.(*outQueue)."} {
			if strings.Contains(s, fn) && !strings.Contains(s, "daemon.TestNoGoroutineLeakAfterClose") {
				out = append(out, s)
				break
			}
		}
	}
	return strings.Join(out, "\n\n")
}

// TestVanishMidFrameGroupOrder: a client that vanishes in the middle of a
// frame is cleaned up; a watcher gets one CAUSED_BY_DISCONNECT per group,
// in group-name order, whatever the join order was.
func TestVanishMidFrameGroupOrder(t *testing.T) {
	d := startTest(t)
	w := connect(t, d, "w", true)
	x := connect(t, d, "x", false)
	for _, g := range []string{"zz", "aa", "mm"} {
		w.join(g)
		w.expectMembership(wire.CausedByJoin, g, "#w#localhost")
		x.join(g)
		w.expectMembership(wire.CausedByJoin, g, "#w#localhost", "#x#localhost")
	}
	x.writeRaw(x.appendMsg(nil, wire.AgreedMess, []string{"aa"}, 0, make([]byte, 100))[:70])
	x.c.Close()
	for _, g := range []string{"aa", "mm", "zz"} {
		w.expectMembership(wire.CausedByDisconnect, g, "#w#localhost")
	}
	waitStats(t, d, func(s Stats) bool { return s.Sessions == 1 })
}

// TestAbortiveCloseAfterFlood (found with spflooder): a sender that keeps
// at most 200 messages in flight (as spflooder does), is held back for a
// slow receiver, and then closes with unread input (so the kernel resets
// the connection and drops what it has not transmitted) still has every
// message it wrote delivered: the throttled reader keeps reading ahead.
func TestAbortiveCloseAfterFlood(t *testing.T) {
	d := startTest(t, func(c *Config) { c.MaxSessionMessages = 200 })
	rcv := connect(t, d, "rcv", false)
	rcv.join("ab")
	waitMembers(t, d, "ab", 1)
	snd := connect(t, d, "snd", false)
	// One message the sender never reads: its close becomes a reset.
	rcv.send(wire.AgreedMess, []string{snd.pgroup}, 0, []byte("unread"))
	const n, window = 5000, 200
	// A flow-control window: a slot per message sent and not yet received
	// (the sender runs at most window messages ahead of the receiver).
	unread := make(chan struct{}, window+1)
	stopped := make(chan struct{}) // the receiver returned
	defer close(stopped)
	done := make(chan error, 1)
	go func() {
		body := make([]byte, 1000)
		var buf []byte
		for i := 0; i < n; i++ {
			select {
			case unread <- struct{}{}:
			default: // the window is full: wait for the receiver
				if err := snd.w.Flush(); err != nil {
					done <- err
					return
				}
				select {
				case unread <- struct{}{}:
				case <-stopped:
					done <- errors.New("the receiver stopped")
					return
				}
			}
			binary.LittleEndian.PutUint32(body, uint32(i))
			buf = snd.appendMsg(buf[:0], wire.AgreedMess, []string{"ab"}, 0, body)
			if _, err := snd.w.Write(buf); err != nil {
				done <- err
				return
			}
		}
		err := snd.w.Flush()
		snd.c.Close()
		done <- err
	}()
	// The receiver is slower than the sender to the end.
	for i := 0; i < n; i++ {
		if i%4 == 0 {
			time.Sleep(200 * time.Microsecond)
		}
		m := rcv.recv()
		if got := binary.LittleEndian.Uint32(m.Body); got != uint32(i) {
			t.Fatalf("message %d: got %d", i, got)
		}
		<-unread
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.Kills != 0 {
		t.Fatalf("stats %+v: want no kills", st)
	}
}

// TestHalfClosedNonReaderIsReleased: a client that half-closes (the daemon
// sees EOF) while it does not read is closed within finishTimeout even
// though its writer is blocked on a full socket.
func TestHalfClosedNonReaderIsReleased(t *testing.T) {
	d := startTest(t)
	finishingNonReader(t, d)
	if !waitUntil(d, finishTimeout+2*time.Second, func() bool { return finishingCount(d) == 0 }) {
		t.Fatal("finishing session never released")
	}
}

// TestCrashForgetsFinishingSessions: a crash closes the sessions whose
// writers were still writing their last messages and forgets them at once;
// they are not left behind for a writer that may never report back.
func TestCrashForgetsFinishingSessions(t *testing.T) {
	r, err := StartRing(RingConfig{Nodes: 2, Node: Config{SocketDir: t.TempDir(), NoUnixSocket: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d1 := r.nodes[0]
	finishingNonReader(t, d1)
	if n := finishingCount(d1); n != 1 {
		t.Fatalf("%d sessions finishing before the crash, want 1", n)
	}
	if err := r.Crash("d1"); err != nil {
		t.Fatal(err)
	}
	if n := finishingCount(d1); n != 0 {
		t.Fatalf("%d sessions still finishing on a crashed node", n)
	}
}

// finishingNonReader leaves d with one removed session whose writer is
// still writing its last messages: a member that never reads half-closes
// after more was sent to it than the socket buffers hold.
func finishingNonReader(t *testing.T, d *Daemon) {
	t.Helper()
	nr := connect(t, d, "nr", false)
	nr.join("h")
	waitMembers(t, d, "h", 1)
	snd := connect(t, d, "snd", false)
	go func() {
		body := make([]byte, 60000)
		for i := 0; i < 300; i++ { // far more than the socket buffers hold
			snd.hdr = snd.appendMsg(snd.hdr[:0], wire.AgreedMess, []string{"h"}, 0, body)
			if _, err := snd.c.Write(snd.hdr); err != nil {
				return
			}
		}
	}()
	waitStats(t, d, func(s Stats) bool { return s.MessagesOut > 100 })
	nr.c.(*net.TCPConn).CloseWrite()
	waitStats(t, d, func(s Stats) bool { return s.Sessions == 1 })
}

func finishingCount(d *Daemon) int {
	d.seq.mu.Lock()
	defer d.seq.mu.Unlock()
	return len(d.reg.finishing)
}

// TestPeerGoneInputStillOrdered (found with spflooder over the Unix
// socket): a client sends to a group it is in, never reads, and exits. Our
// writes to it fail before its last messages have been read; those
// messages must still reach the other members, before its DISCONNECT.
func TestPeerGoneInputStillOrdered(t *testing.T) {
	d := startTest(t, func(c *Config) { c.NoUnixSocket = false; c.SocketDir = t.TempDir() })
	w := dialRaw(t, "unix", d.UnixPath(), "w", true)
	w.join("pg")
	w.expectMembership(wire.CausedByJoin, "pg", "#w#localhost")
	x := dialRaw(t, "unix", d.UnixPath(), "x", false)
	x.join("pg")
	w.expectMembership(wire.CausedByJoin, "pg", "#w#localhost", "#x#localhost")
	const n = 600 // its unread echoes stay below MaxSessionMessages
	go func() {
		body := make([]byte, 1000)
		var buf []byte
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(body, uint32(i))
			buf = x.appendMsg(buf[:0], wire.ReliableMess, []string{"pg"}, 0, body)
			x.w.Write(buf)
		}
		x.w.Flush()
		x.c.Close() // with its echoes unread
	}()
	for i := 0; i < n; i++ {
		m := w.recv()
		if m.Type&wire.RegularMess == 0 {
			t.Fatalf("after %d of %d messages: type 0x%x (the sender's messages were lost)", i, n, m.Type)
		}
		if got := binary.LittleEndian.Uint32(m.Body); got != uint32(i) {
			t.Fatalf("message %d: got %d", i, got)
		}
	}
	w.expectMembership(wire.CausedByDisconnect, "pg", "#w#localhost")
}
