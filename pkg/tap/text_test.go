package tap

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
)

// dataMessage is a daemon's data message from sender to groups.
func dataMessage(sender string, groups []string, payload string) []byte {
	h := wire.Header{Type: wire.AgreedMess, Sender: wire.MakeName(sender), NumGroups: int32(len(groups)), Hint: wire.MakeHint(7), DataLen: int32(len(payload))}
	b := wire.AppendHeader(nil, &h)
	for _, g := range groups {
		n := wire.MakeName(g)
		b = append(b, n[:]...)
	}
	return append(b, payload...)
}

// A data frame's line and JSON object are spgo tap's, whether the frame
// is a view or owned.
func TestFrameTextAndJSON(t *testing.T) {
	c := benchConversation()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6789000, time.Local)
	var line, obj []byte
	c.FeedView(DaemonToClient, dataMessage("#s#d1", []string{"g", "a b"}, "hi \"x\"\n\x00"), at, func(f *Frame) {
		line = f.AppendText(nil)
		obj, _ = f.MarshalJSON()
	})
	wantLine := `03:04:05.006789 [1] D>C #a#b data AGREED from #s#d1 to g,"a b" type 7 size 8 "hi \"x\"\n\x00"`
	if string(line) != wantLine {
		t.Errorf("line\n got %s\nwant %s", line, wantLine)
	}
	for _, want := range []string{`"dir":"D>C"`, `"kind":"data"`, `"groups":["g","a b"]`, `"preview":"hi \"x\"\\n\\x00"`, `"hex":"`, `"sender":"#s#d1"`} {
		if !bytes.Contains(obj, []byte(want)) {
			t.Errorf("JSON %s lacks %s", obj, want)
		}
	}
	owned := c.Feed(DaemonToClient, dataMessage("#s#d1", []string{"g", "a b"}, "hi \"x\"\n\x00"), at)
	if len(owned) != 1 || owned[0].String() != wantLine {
		t.Fatalf("owned frames %v", owned)
	}
	if o, _ := owned[0].MarshalJSON(); !bytes.Equal(o, obj) {
		t.Errorf("owned JSON\n%s\nview JSON\n%s", o, obj)
	}
}

// Opens and closes have no direction and, before the daemon names it, no
// session: their lines show "---" and "-".
func TestFrameTextOpenClose(t *testing.T) {
	at := time.Date(2026, 1, 2, 13, 14, 15, 0, time.Local)
	open := Frame{Kind: KindOpen, Conn: 12, Time: at}
	if got := open.String(); got != "13:14:15.000000 [12] --- - open" {
		t.Errorf("open: %q", got)
	}
	cut := Frame{Kind: KindClose, Conn: 2, Time: at, By: "T", Session: "#a\tb#d", Error: "cut after 3 frames"}
	if got := cut.String(); got != `13:14:15.000000 [2] --- "#a\tb#d" close by tap: cut after 3 frames` {
		t.Errorf("close: %q", got)
	}
}

// FeedView hands out the frames Feed returns, and a clone of a view stays
// as it was while the conversation goes on reusing the view's memory.
func TestFeedViewClonesEqualFeed(t *testing.T) {
	files, err := capture.All(capture.Dir())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(0, 0)
	compared := 0
	for _, file := range files {
		owned, views := map[string]*Conversation{}, map[string]*Conversation{}
		var want, got []Frame
		for _, ev := range file.Events {
			switch ev.Kind {
			case capture.Open:
				owned[ev.Conn], views[ev.Conn] = NewConversation(1), NewConversation(1)
			case capture.Unit:
				want = append(want, owned[ev.Conn].Feed(Direction(ev.Dir), ev.Payload, t0)...)
				views[ev.Conn].FeedView(Direction(ev.Dir), ev.Payload, t0, func(f *Frame) { got = append(got, f.Clone()) })
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: clones of views differ from Feed's frames", file.Name)
		}
		compared += len(got)
	}
	if compared < 500 {
		t.Fatalf("only %d frames compared", compared)
	}
}

// A clone owns its bytes and lists: the next frames, which reuse the
// view's memory, leave it unchanged.
func TestCloneOutlivesView(t *testing.T) {
	c := benchConversation()
	var kept Frame
	msg := dataMessage("#s#d1", []string{"first"}, "one")
	c.FeedView(DaemonToClient, msg, time.Time{}, func(f *Frame) { kept = f.Clone() })
	// The next message starts in the pending bytes, then completes.
	next := dataMessage("#t#d1", []string{"second"}, "two")
	c.FeedView(DaemonToClient, next[:10], time.Time{}, func(*Frame) {})
	c.FeedView(DaemonToClient, next[10:], time.Time{}, func(*Frame) {})
	copy(msg, make([]byte, len(msg)))
	if kept.Sender != "#s#d1" || kept.Groups[0] != "first" || string(kept.Data) != "one" || kept.Preview != "one" || kept.Raw[len(kept.Raw)-1] != 'e' {
		t.Errorf("clone changed: %+v", kept)
	}
}

// Names beyond what a conversation remembers are still read right.
func TestInternerBound(t *testing.T) {
	c := benchConversation()
	for i := range internMax + 10 {
		g := "g" + strings.Repeat("x", i%20) + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
		c.FeedView(DaemonToClient, dataMessage("#s#d1", []string{g}, "p"), time.Time{}, func(f *Frame) {
			if f.Groups[0] != g {
				t.Fatalf("group %q read as %q", g, f.Groups[0])
			}
		})
	}
	if len(c.names.names) > internMax {
		t.Fatalf("%d names remembered, at most %d allowed", len(c.names.names), internMax)
	}
}
