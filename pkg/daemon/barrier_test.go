package daemon

import (
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// liveSession is the session named name.
func liveSession(t *testing.T, d *Daemon, name string) *session {
	t.Helper()
	d.seq.mu.Lock()
	defer d.seq.mu.Unlock()
	s := d.reg.byName[name]
	if s == nil {
		t.Fatalf("no session %q", name)
	}
	return s
}

// A barrier's wake-up that comes after its reader has served it (the
// reader saw the request on its own first) does not stop the reader: what
// the client sends afterwards is still read and delivered.
func TestBarrierWakeUpAfterItWasServed(t *testing.T) {
	d := startTest(t)
	cl := connect(t, d, "late", false)
	s := liveSession(t, d, "late")
	ack := make(chan struct{})
	if !s.syncs.add(ack) {
		t.Fatal("the reader has ended")
	}
	// The message wakes the reader; it orders it, then serves the barrier
	// before it blocks again.
	cl.send(wire.FIFOMess, []string{cl.pgroup}, 0, []byte("first"))
	select {
	case <-ack:
	case <-time.After(clientTimeout):
		t.Fatal("the barrier was not served")
	}
	if m := cl.recv(); string(m.Body) != "first" {
		t.Fatalf("got %q, want first", m.Body)
	}
	s.conn.SetReadDeadline(longAgo) // the wake-up, late
	cl.send(wire.FIFOMess, []string{cl.pgroup}, 0, []byte("second"))
	if m := cl.recv(); string(m.Body) != "second" {
		t.Fatalf("got %q, want second", m.Body)
	}
}
