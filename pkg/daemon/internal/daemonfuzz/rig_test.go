package daemonfuzz

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/daemon"
)

// One daemon and one well-behaved session (the watcher, member of group
// watchGroup) serve every input of a fuzzing process. After each input
// the daemon must have closed the fuzzed session's connection, forgotten
// the session, and still deliver the watcher's message to watchGroup.

const (
	daemonName  = "localhost"
	watchGroup  = "g"
	watcherName = "#w#localhost"
	fuzzTimeout = 10 * time.Second
)

var (
	rigOnce sync.Once
	theRig  *rig
	rigErr  error
)

// rig is the daemon the inputs of one fuzzing process go to, with its
// watcher session.
type rig struct {
	d      *daemon.Daemon
	feed   chan<- []byte // the watcher's input
	out    probeSink     // the watcher's output
	probes uint64
	probe  []byte
	timer  *time.Timer // bounds every wait; stopped between them
}

// rigFor starts the process's daemon and watcher once.
func rigFor(t *testing.T) *rig {
	t.Helper()
	rigOnce.Do(func() {
		// A worker runs one input at a time and the engine starts a
		// worker per processor: on one processor the daemon's goroutines
		// hand over to each other without waking another thread, which
		// on a loaded machine cost more than the input itself.
		runtime.GOMAXPROCS(1)
		theRig, rigErr = startRig()
	})
	if rigErr != nil {
		t.Fatal(rigErr)
	}
	return theRig
}

func startRig() (*rig, error) {
	d, err := daemon.Start(daemon.Config{Name: daemonName, NoUnixSocket: true})
	if err != nil {
		return nil, err
	}
	r := &rig{d: d, out: probeSink{got: make(chan struct{}, 1)}, timer: time.NewTimer(fuzzTimeout)}
	r.timer.Stop()
	conn, feed := newFedConn(r.out.write)
	r.feed = feed
	d.ServeConn(conn)
	r.out.expect(wire.AppendAccept(nil, true, watcherName))
	for _, seg := range [][]byte{wire.AppendHello(nil, wire.HelloFlags(true, 0), "w"), nullChoice()} {
		if err := r.send(seg); err != nil {
			return nil, err
		}
	}
	if !r.await(r.out.got) {
		return nil, fmt.Errorf("the watcher got no accept within %v", fuzzTimeout)
	}
	if err := r.send(appendFrame(nil, watcherName, wire.JoinMess, []string{watchGroup}, 0, nil)); err != nil {
		return nil, err
	}
	return r, r.probeWatcher()
}

// send gives the watcher's reader one segment of input.
func (r *rig) send(seg []byte) error {
	r.timer.Reset(fuzzTimeout)
	defer r.timer.Stop()
	select {
	case r.feed <- seg:
		return nil
	case <-r.timer.C:
		return fmt.Errorf("the watcher's reader took no input for %v", fuzzTimeout)
	}
}

// await waits for ch, at most fuzzTimeout.
func (r *rig) await(ch <-chan struct{}) bool {
	r.timer.Reset(fuzzTimeout)
	defer r.timer.Stop()
	select {
	case <-ch:
		return true
	case <-r.timer.C:
		return false
	}
}

// probeWatcher sends a message from the watcher to watchGroup and waits
// for the daemon to deliver it back to the watcher.
func (r *rig) probeWatcher() error {
	r.probes++
	body := binary.LittleEndian.AppendUint64(nil, r.probes)
	r.probe = appendFrame(r.probe[:0], watcherName, wire.AgreedMess, []string{watchGroup}, 1, body)
	r.out.expect(r.probe)
	if err := r.send(r.probe); err != nil {
		return err
	}
	if !r.await(r.out.got) {
		return fmt.Errorf("the watcher's message %d to %s was not delivered within %v", r.probes, watchGroup, fuzzTimeout)
	}
	return nil
}

// serve hands c to the daemon and checks that the daemon closes it at the
// end of its input, forgets the session and still serves the watcher.
func (r *rig) serve(t *testing.T, c *memConn) {
	t.Helper()
	r.d.ServeConn(c)
	if !r.await(c.closed) {
		t.Fatalf("the daemon did not close the session within %v after its input ended", fuzzTimeout)
	}
	if st := r.d.Stats(); st.Sessions != 1 || st.Handshakes != 0 || st.Groups != 1 {
		t.Fatalf("session not cleaned up: %+v, want the watcher alone in group %s", st, watchGroup)
	}
	if m := r.d.Members(watchGroup); len(m) != 1 || m[0] != watcherName {
		t.Fatalf("group %s: members %v, want the watcher alone", watchGroup, m)
	}
	if err := r.probeWatcher(); err != nil {
		t.Fatal(err)
	}
}

// appendFrame appends a client frame (little-endian, as libspread on x86
// sends it).
func appendFrame(dst []byte, sender string, typ uint32, groups []string, messType int16, data []byte) []byte {
	h := wire.Header{Type: typ, Sender: wire.MakeName(sender), NumGroups: int32(len(groups)), Hint: wire.MakeHint(messType), DataLen: int32(len(data))}
	dst = wire.AppendHeader(dst, &h)
	for _, g := range groups {
		n := wire.MakeName(g)
		dst = append(dst, n[:]...)
	}
	return append(dst, data...)
}

func nullChoice() []byte {
	b, _ := wire.AppendAuthChoice(nil, []string{"NULL"})
	return b
}

// probeSink receives the watcher's output and signals got when it ends
// with the awaited frame.
type probeSink struct {
	mu   sync.Mutex
	tail []byte
	want []byte
	got  chan struct{}
}

// expect arms the sink for frame; call it before frame can be written.
func (p *probeSink) expect(frame []byte) {
	p.mu.Lock()
	p.want = frame
	p.tail = p.tail[:0]
	p.mu.Unlock()
}

func (p *probeSink) write(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tail = append(p.tail, b...)
	if p.want != nil && bytes.HasSuffix(p.tail, p.want) {
		p.want = nil
		p.got <- struct{}{}
	}
	if len(p.tail) > 64<<10 { // only the end matters
		p.tail = append(p.tail[:0], p.tail[len(p.tail)-1024:]...)
	}
}

// greetingSink checks that a session's first bytes are the greeting and
// calls done once they all came, or once they went wrong.
type greetingSink struct {
	mu       sync.Mutex
	greeting []byte
	n        int    // bytes of greeting seen
	bad      []byte // what came instead
	done     func()
}

func (g *greetingSink) write(b []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.bad != nil || g.n == len(g.greeting) {
		return
	}
	m := min(len(b), len(g.greeting)-g.n)
	if !bytes.Equal(b[:m], g.greeting[g.n:g.n+m]) {
		g.bad = append(append([]byte(nil), g.greeting[:g.n]...), b...)
		g.done()
		return
	}
	if g.n += m; g.n == len(g.greeting) {
		g.done()
	}
}

// complete reports whether the whole greeting came, and what came if not.
func (g *greetingSink) complete() (bool, []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n == len(g.greeting), g.bad
}
