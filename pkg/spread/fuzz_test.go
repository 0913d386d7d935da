package spread_test

import (
	"errors"
	"testing"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/pkg/spread"
)

// capturedDaemonSides returns, per capture connection, the daemon's
// handshake bytes and the daemon's stream after the handshake.
func capturedDaemonSides(f interface{ Add(...any) }, handshakeSeeds bool) {
	files, err := capture.All(capture.Dir())
	if err != nil {
		return
	}
	for _, file := range files {
		for _, conn := range file.Conns() {
			units := file.Units(conn, capture.DaemonToClient)
			if len(units) == 0 {
				continue
			}
			var hs, stream []byte
			for i, u := range units {
				if i < 4 {
					hs = append(hs, u...)
				} else {
					stream = append(stream, u...)
				}
			}
			if handshakeSeeds {
				f.Add(hs)
			} else if len(stream) < 1<<16 {
				f.Add(stream)
			}
		}
	}
}

// FuzzReceiveStream feeds arbitrary bytes as the daemon's stream after a
// good handshake: Receive and ReceiveRaw must return messages or errors,
// never panic or loop, and end with an error when the bytes run out.
func FuzzReceiveStream(f *testing.F) {
	capturedDaemonSides(f, false)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, stream []byte) {
		for _, raw := range []bool{false, true} {
			mb, err := fakeMailbox(append(acceptBytes("#fz#fuzz"), stream...), -1)
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			var rm spread.RawMessage
			for i := 0; ; i++ {
				if i > len(stream)/48+2 {
					t.Fatalf("more messages than the stream can hold")
				}
				if raw {
					err = mb.ReceiveRaw(&rm)
					if err == nil {
						_, _ = rm.Message()
						for g := range rm.NumGroups() {
							_ = rm.Group(g)
						}
					}
				} else {
					_, err = mb.Receive()
				}
				if err != nil {
					var se *spread.Error
					if !errors.As(err, &se) {
						t.Fatalf("untyped error %T %v", err, err)
					}
					if se.Code == spread.IllegalMessage && !errors.Is(err, spread.ErrConnectionClosed) {
						if _, again := mb.Poll(); again == nil {
							continue // a skipped frame
						}
					}
					break
				}
			}
			_ = mb.Disconnect()
		}
	})
}

// FuzzHandshake feeds arbitrary bytes as the daemon's side of the
// handshake: Connect must succeed with a well-formed private group or fail
// with a typed error.
func FuzzHandshake(f *testing.F) {
	capturedDaemonSides(f, true)
	for _, b := range []byte{0xfd, 0xfb, 0xfa, 0xf9, 0xf7, 0x00, 0x5b} {
		f.Add([]byte{b})
	}
	f.Fuzz(func(t *testing.T, daemonSide []byte) {
		mb, err := fakeMailbox(daemonSide, -1)
		if err != nil {
			var se *spread.Error
			if !errors.As(err, &se) || se.Code >= 0 {
				t.Fatalf("untyped or positive error: %v", err)
			}
			return
		}
		pg := mb.PrivateGroup()
		if len(pg) < 4 || len(pg) > 31 || pg[0] != '#' {
			t.Fatalf("accepted private group %q", pg)
		}
		_ = mb.Disconnect()
	})
}

// FuzzParseDaemonName checks that any string parses to a dialable address
// or ILLEGAL_SPREAD.
func FuzzParseDaemonName(f *testing.F) {
	for _, s := range []string{"", "4803", "4803@localhost", " 4913@127.0.0.1", "+4913@h", "-4913@h",
		"70449@h", "4913 @h", "4913@h junk", "localhost:4913", "4913x", "0x1331@h", "4913@", "[::1]:4803"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		network, addr, err := spread.ParseDaemonName(s)
		if err != nil {
			if !errors.Is(err, spread.ErrIllegalSpread) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if (network != "unix" && network != "tcp") || addr == "" {
			t.Fatalf("%q -> %q %q", s, network, addr)
		}
	})
}
