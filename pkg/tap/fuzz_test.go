package tap

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
)

// FuzzConversation feeds whole interleaved streams: the input is cut into
// chunks, each for one direction (the low bit of a chunk's first byte) and
// of a length the second byte gives. Whatever the bytes, the decoder must
// not panic, and its frames plus what End returns must be exactly the
// bytes of each direction, in order: it never loses or invents a byte.
// The views FeedView hands out render as the owned frames do.
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
		c, cv := NewConversation(1), NewConversation(1)
		var sent, got [2]bytes.Buffer
		t0 := time.Unix(0, 0)
		for len(in) >= 2 {
			d, n := int(in[0]&1), int(in[1])
			in = in[2:]
			n = min(n, len(in))
			sent[d].Write(in[:n])
			var views []string
			cv.FeedView(dirs[d], in[:n], t0, func(fr *Frame) { views = append(views, fr.String()) })
			owned := c.Feed(dirs[d], in[:n], t0)
			for i, fr := range owned {
				checkFrame(t, &fr, dirs[d])
				got[d].Write(fr.Raw)
				if i >= len(views) || views[i] != fr.String() {
					t.Fatalf("view and owned frame differ: %q, %v", fr.String(), views)
				}
			}
			if len(views) != len(owned) {
				t.Fatalf("%d views, %d owned frames", len(views), len(owned))
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

// checkFrame asserts what holds for any frame: its size is its bytes, it
// has a summary, and its JSON object is valid JSON.
func checkFrame(t *testing.T, fr *Frame, dir Direction) {
	if fr.Size != len(fr.Raw) || fr.Size == 0 || fr.Dir != dir || fr.Summary() == "" {
		t.Fatalf("bad frame %+v", fr)
	}
	if j, err := fr.MarshalJSON(); err != nil || !json.Valid(j) {
		t.Fatalf("frame %+v: JSON %s, %v", fr, j, err)
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
