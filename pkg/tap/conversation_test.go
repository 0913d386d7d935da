package tap

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
)

// feedCapture plays every unit of every TCP connection of f through one
// Conversation per connection, in file order, and returns the frames of
// each connection, the streams' leftovers included.
func feedCapture(f *capture.File) map[string][]Frame {
	convs := map[string]*Conversation{}
	out := map[string][]Frame{}
	t0 := time.Unix(0, 0)
	for _, ev := range f.Events {
		switch ev.Kind {
		case capture.Open:
			convs[ev.Conn] = NewConversation(len(convs) + 1)
		case capture.Unit:
			out[ev.Conn] = append(out[ev.Conn], convs[ev.Conn].Feed(Direction(ev.Dir), ev.Payload, t0)...)
		case capture.Close:
			for _, d := range []Direction{ClientToDaemon, DaemonToClient} {
				if f := convs[ev.Conn].End(d, t0); f != nil {
					out[ev.Conn] = append(out[ev.Conn], *f)
				}
			}
		}
	}
	return out
}

// Every capture's conversations decode into frames that are exactly the
// capture's units, one frame per unit, where the capture cut the streams
// as the protocol does; the exceptions are the captures of malformed input.
func TestConversationFramesAreCaptureUnits(t *testing.T) {
	files, err := capture.All(capture.Dir())
	if err != nil {
		t.Fatal(err)
	}
	conns := 0
	for _, f := range files {
		frames := feedCapture(f)
		for _, conn := range f.Conns() {
			conns++
			same := sameUnits(f, conn, frames[conn])
			if why, odd := notCutAsUnits[f.Name[:2]+conn]; same == odd {
				t.Errorf("%s %s: frames equal to units: %t, want %t (%s)", f.Name, conn, same, !odd, why)
			}
		}
	}
	if conns < 95 {
		t.Fatalf("only %d connections in the captures", conns)
	}
}

// notCutAsUnits are the connections whose streams the decoder cuts
// otherwise than the capture's annotations, and why: malformed input, which
// no reader frames as the annotator did.
var notCutAsUnits = map[string]string{
	"07B": "a 3.14 client's auth choice read as a header with REJECT_MESS set, which carries an old type",
	"07C": "as 07B, for a 3.15 client (also too old to authenticate)",
	"07E": "version 255 read as -1: no patch byte, so the hello ends early",
	"21A": "a too-long message whose rest the daemon never read: the stream ends inside the frame",
	"23C": "a malformed header, undecodable",
	"28A": "101 groups: the daemon kills the session after the header, the stream ends inside the frame",
}

// sameUnits reports whether frames, in each direction, are the units of conn.
func sameUnits(f *capture.File, conn string, frames []Frame) bool {
	for _, dir := range []Direction{ClientToDaemon, DaemonToClient} {
		units := f.Units(conn, string(dir))
		var got [][]byte
		for _, fr := range frames {
			if fr.Dir == dir {
				got = append(got, fr.Raw)
			}
		}
		if len(got) != len(units) {
			return false
		}
		for i := range units {
			if !bytes.Equal(got[i], units[i]) {
				return false
			}
		}
	}
	return true
}

// A preview shows printable text as is and escapes the rest, cut at
// PreviewLen bytes.
func TestPreview(t *testing.T) {
	cases := map[string]string{
		"hello":                  "hello",
		"a\tb\n\x00\x1b[31m":     `a\tb\n\x00\x1b[31m`,
		"back\\slash":            `back\\slash`,
		"caf\xc3\xa9 \xff":       `café \xff`,
		"\u2028\u009b":           `\u2028\u009b`,
		string(make([]byte, 50)): strings.Repeat(`\x00`, PreviewLen) + "...",
		`"quoted"`:               `"quoted"`,
	}
	for in, want := range cases {
		if got := preview([]byte(in)); got != want {
			t.Errorf("preview(%q) = %q, want %q", in, got, want)
		}
	}
}
