package daemonfuzz

import (
	"path/filepath"
	"testing"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
)

// seedUnits adds the client units of the captures, as the fuzzers' corpus:
// each connection's from its first unit (handshake) or from its third
// (after the hello and the auth choice).
func seedUnits(f *testing.F, handshake bool) {
	// capture.Dir is seen from two levels below the module root; this
	// package is four.
	files, err := capture.All(filepath.Join("..", "..", capture.Dir()))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatal("no captures found for the seed corpus")
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

// FuzzHandshakeBytes: any bytes as a connection's first bytes, in one
// read, then the end of the connection.
func FuzzHandshakeBytes(f *testing.F) {
	seedUnits(f, true)
	f.Add([]byte{})
	f.Add([]byte{4, 4, 0, 1, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		rigFor(t).serve(t, newScriptedConn(func([]byte) {}, b))
	})
}

// FuzzSessionStream: any bytes after a successful handshake, sent once
// the accept came, as a client does. The sender field check rejects most
// random headers, so the corpus starts from real requests of the captures
// (whose sender names differ: those are rejected at once, mutations that
// fix the sender get further).
func FuzzSessionStream(f *testing.F) {
	const self = "#fz#" + daemonName
	seedUnits(f, false)
	join := appendFrame(nil, self, wire.JoinMess, []string{watchGroup}, 0, nil)
	f.Add(join)
	f.Add(appendFrame(join, self, wire.SafeMess|wire.SelfDiscard, []string{watchGroup, self}, -1, []byte("x")))
	f.Add(appendFrame(nil, self, wire.KillMess, nil, 0, nil))
	hello := wire.AppendHello(nil, wire.HelloFlags(true, 0), "fz")
	choice := nullChoice()
	greeting := wire.AppendAccept(wire.AppendAuthOffer(nil, []string{"NULL"}), true, self)
	f.Fuzz(func(t *testing.T, b []byte) {
		r := rigFor(t)
		out := &greetingSink{greeting: greeting}
		c := newScriptedConn(out.write, hello, choice)
		c.hold(b)
		out.done = c.open
		r.serve(t, c)
		if ok, bad := out.complete(); !ok {
			t.Fatalf("handshake: the daemon wrote %x, want the auth offer and the accept %x", bad, greeting)
		}
	})
}
