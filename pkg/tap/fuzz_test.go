package tap

import (
	"bytes"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
)

// FuzzConversation feeds whole interleaved streams: the input is cut into
// chunks, each for one direction (the low bit of a chunk's first byte) and
// of a length the second byte gives. Whatever the bytes, the decoder must
// not panic, and its frames plus what End returns must be exactly the
// bytes of each direction, in order: it never loses or invents a byte.
func FuzzConversation(f *testing.F) {
	files, err := capture.All(capture.Dir())
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		for _, conn := range file.Conns() {
			f.Add(interleaved(file, conn))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := NewConversation(1)
		var sent, got [2]bytes.Buffer
		t0 := time.Unix(0, 0)
		for len(in) >= 2 {
			d, n := int(in[0]&1), int(in[1])
			in = in[2:]
			n = min(n, len(in))
			sent[d].Write(in[:n])
			for _, fr := range c.Feed(dirs[d], in[:n], t0) {
				checkFrame(t, &fr, dirs[d])
				got[d].Write(fr.Raw)
			}
			in = in[n:]
		}
		for d := range dirs {
			if fr := c.End(dirs[d], t0); fr != nil {
				got[d].Write(fr.Raw)
			}
			if !bytes.Equal(sent[d].Bytes(), got[d].Bytes()) {
				t.Fatalf("%s: frames hold\n%x\nthe stream was\n%x", dirs[d], got[d].Bytes(), sent[d].Bytes())
			}
		}
	})
}

var dirs = [2]Direction{ClientToDaemon, DaemonToClient}

// checkFrame asserts what holds for any frame: its size is its bytes, and
// it has a summary.
func checkFrame(t *testing.T, fr *Frame, dir Direction) {
	if fr.Size != len(fr.Raw) || fr.Size == 0 || fr.Dir != dir || fr.Summary() == "" {
		t.Fatalf("bad frame %+v", fr)
	}
}

// interleaved encodes a capture connection's units in the fuzz input's
// form, each unit in chunks of at most 255 bytes.
func interleaved(f *capture.File, conn string) []byte {
	var out []byte
	for _, ev := range f.Events {
		if ev.Kind != capture.Unit || ev.Conn != conn {
			continue
		}
		d := byte(0)
		if ev.Dir == capture.DaemonToClient {
			d = 1
		}
		for p := ev.Payload; len(p) > 0; {
			n := min(len(p), 255)
			out = append(out, d, byte(n))
			out = append(out, p[:n]...)
			p = p[n:]
		}
	}
	return out
}
