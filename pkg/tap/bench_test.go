package tap

import (
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// floodStream is a daemon's stream of n 1000-byte AGREED messages to one
// group, as a flood receiver gets them.
func floodStream(n int) []byte {
	var b []byte
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i * 7)
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

// BenchmarkFeed measures decoding a flood's messages in 64 KiB chunks, and
// summarising each as spgo tap prints it.
func BenchmarkFeed(b *testing.B) {
	stream := floodStream(1000)
	hs := []byte{5, 'N', 'U', 'L', 'L', ' ', 1, 4, 4, 0, 4, '#', 'a', '#', 'b'}
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		c := NewConversation(1)
		c.Feed(ClientToDaemon, []byte{4, 4, 0, 1, 1, 'a'}, time.Time{})
		c.Feed(ClientToDaemon, make([]byte, 90), time.Time{})
		c.Feed(DaemonToClient, hs, time.Time{})
		for p := stream; len(p) > 0; {
			n := min(len(p), 64<<10)
			c.feed(DaemonToClient, p[:n], time.Time{}, func(f *Frame) { _ = f.Summary() })
			p = p[n:]
		}
	}
}
