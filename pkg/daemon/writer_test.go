package daemon

import (
	"bytes"
	"testing"
)

// appendFrame keeps every frame whole inside one chunk, in order, starts a
// session with a small chunk and moves to big ones as frames pile up, so
// written bytes equal the frames concatenated.
func TestAppendFrameChunks(t *testing.T) {
	var chunks [][]byte
	var want []byte
	sizes := []int{60, 1000, 31 << 10, 100_000, 48 + 4 + 143952, 7, 200_000}
	for i, n := range sizes {
		frame := bytes.Repeat([]byte{byte(i + 1)}, n)
		before := len(chunks)
		chunks = appendFrame(chunks, frame)
		want = append(want, frame...)
		last := chunks[len(chunks)-1]
		if !bytes.HasSuffix(last, frame) {
			t.Fatalf("frame %d (%d bytes) is not whole at the end of the last chunk", i, n)
		}
		if before == 0 && cap(chunks[0]) != smallChunk {
			t.Fatalf("first chunk has cap %d, want the small chunk %d", cap(chunks[0]), smallChunk)
		}
	}
	for i, c := range chunks[1:] {
		if cap(c) < bigChunk && len(c) <= bigChunk {
			t.Errorf("chunk %d after the first has cap %d, want a big chunk", i+1, cap(c))
		}
	}
	if got := bytes.Join(chunks, nil); !bytes.Equal(got, want) {
		t.Fatalf("chunks hold %d bytes, want the %d bytes of the frames in order", len(got), len(want))
	}
	for _, c := range chunks {
		releaseChunk(c)
	}
}
