package tap

import (
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// floodStream is a daemon's stream of n 1000-byte AGREED messages to one
// group, as a flood receiver gets them: like spgo flood's, a payload of a
// 16-byte binary header and zeros.
func floodStream(n int) []byte {
	var b []byte
	data := make([]byte, 1000)
	for i := range 16 {
		data[i] = byte(i * 37)
	}
	for range n {
		h := wire.Header{Type: wire.AgreedMess, Sender: wire.MakeName("#f1#bench"), NumGroups: 1, Hint: wire.MakeHint(1), DataLen: int32(len(data))}
		b = wire.AppendHeader(b, &h)
		g := wire.MakeName("flood")
		b = append(b, g[:]...)
		b = append(b, data...)
	}
	return b
}

// benchFrames is how many frames one benchmark round decodes.
const benchFrames = 1000

// benchConversation is a conversation past its handshake, so that what
// follows is messages.
func benchConversation() *Conversation {
	c := NewConversation(1)
	c.Feed(ClientToDaemon, []byte{4, 4, 0, 1, 1, 'a'}, time.Time{})
	c.Feed(ClientToDaemon, make([]byte, 90), time.Time{})
	c.Feed(DaemonToClient, []byte{5, 'N', 'U', 'L', 'L', ' ', 1, 4, 4, 0, 4, '#', 'a', '#', 'b'}, time.Time{})
	return c
}

// feedFlood feeds a flood's stream to c in 64 KiB chunks (frames cross
// chunk boundaries, as they do on the wire), handing each frame to view.
func feedFlood(c *Conversation, stream []byte, view func(*Frame)) {
	for p := stream; len(p) > 0; {
		n := min(len(p), 64<<10)
		c.FeedView(DaemonToClient, p[:n], time.Time{}, view)
		p = p[n:]
	}
}

// benchFlood runs view on every frame of a flood, reporting the cost per
// frame.
func benchFlood(b *testing.B, view func(*Frame)) {
	stream := floodStream(benchFrames)
	c := benchConversation()
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		feedFlood(c, stream, view)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchFrames), "ns/frame")
}

// BenchmarkConversationView measures decoding alone, as OnFrameView gets
// the frames.
func BenchmarkConversationView(b *testing.B) {
	benchFlood(b, func(*Frame) {})
}

// BenchmarkConversationOwned measures decoding into owned frames, as
// OnFrame gets them.
func BenchmarkConversationOwned(b *testing.B) {
	var kept Frame
	benchFlood(b, func(f *Frame) { kept = f.Clone() })
	_ = kept
}

// BenchmarkRenderText measures decoding and rendering each frame's line
// into a reused buffer, as spgo tap prints it.
func BenchmarkRenderText(b *testing.B) {
	var line []byte
	benchFlood(b, func(f *Frame) { line = f.AppendText(line[:0]) })
}

// BenchmarkRenderJSON measures decoding and each frame's JSON object.
func BenchmarkRenderJSON(b *testing.B) {
	benchFlood(b, func(f *Frame) { _, _ = f.MarshalJSON() })
}
