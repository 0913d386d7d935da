package daemon

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
)

var (
	fuzzOnce   sync.Once
	fuzzDaemon *Daemon
)

// fuzzD is one daemon per fuzzing process; iterations use net.Pipe.
func fuzzD(t *testing.T) *Daemon {
	fuzzOnce.Do(func() {
		d, err := Start(Config{Name: "localhost", NoUnixSocket: true, HandshakeTimeout: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		fuzzDaemon = d
	})
	return fuzzDaemon
}

// feed writes b to a fresh in-memory connection (after a handshake when
// hs is set), closes it, and checks that the daemon forgets the session and
// still serves a new one.
func feed(t *testing.T, b []byte, hs bool) {
	d := fuzzD(t)
	c, s := net.Pipe()
	d.ServeConn(s)
	if hs {
		if _, err := tryHandshake(c, "fz", true); err != nil {
			t.Fatalf("handshake: %v", err)
		}
	}
	go io.Copy(io.Discard, c) // whatever the daemon answers
	c.SetWriteDeadline(time.Now().Add(time.Second))
	c.Write(b)
	c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for st := d.Stats(); st.Sessions+st.Handshakes != 0; st = d.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("session not cleaned up: %+v", st)
		}
		time.Sleep(50 * time.Microsecond)
	}
	// The daemon still works: a probe gets its own message back.
	pc, ps := net.Pipe()
	d.ServeConn(ps)
	probe, err := tryHandshake(pc, "probe", true)
	if err != nil {
		t.Fatalf("probe: %v", err)
	}
	probe.t = t
	defer pc.Close()
	go func() {
		probe.c.Write(probe.appendMsg(nil, wire.AgreedMess, []string{probe.pgroup}, 1, []byte("ok")))
	}()
	if m := probe.recv(); string(m.Body) != "ok" {
		t.Fatalf("probe got %q", m.Body)
	}
}

// seedUnits adds the client units of the captures, as the fuzzers' corpus.
func seedUnits(f *testing.F, handshake bool) {
	files, err := capture.All(capture.Dir())
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		for _, conn := range file.Conns() {
			var all []byte
			for i, u := range file.Units(conn, capture.ClientToDaemon) {
				if len(u) > 4096 {
					continue
				}
				if handshake || i >= 2 {
					all = append(all, u...)
				}
			}
			if len(all) > 0 {
				f.Add(all)
			}
		}
	}
}

// FuzzHandshakeBytes: any bytes as a connection's first bytes.
func FuzzHandshakeBytes(f *testing.F) {
	seedUnits(f, true)
	f.Add([]byte{})
	f.Add([]byte{4, 4, 0, 1, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) { feed(t, b, false) })
}

// FuzzSessionStream: any bytes after a successful handshake. The sender
// field check rejects most random headers, so the corpus starts from real
// requests of the captures (whose sender names differ: those are rejected
// at once, mutations that fix the sender get further).
func FuzzSessionStream(f *testing.F) {
	seedUnits(f, false)
	cl := &rawClient{sender: wire.MakeName("#fz#localhost")}
	f.Add(cl.appendMsg(nil, wire.JoinMess, []string{"g"}, 0, nil))
	f.Add(append(cl.appendMsg(nil, wire.JoinMess, []string{"g"}, 0, nil), cl.appendMsg(nil, wire.SafeMess|wire.SelfDiscard, []string{"g", "#fz#localhost"}, -1, []byte("x"))...))
	f.Add(cl.appendMsg(nil, wire.KillMess, nil, 0, nil))
	f.Fuzz(func(t *testing.T, b []byte) { feed(t, b, true) })
}
