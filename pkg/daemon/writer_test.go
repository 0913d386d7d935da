package daemon

import (
	"bytes"
	"io"
	"net"
	"slices"
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

// nextSlice cuts a batch into whole chunks of at most maxSlice bytes per
// writev, a chunk bigger than maxSlice alone, covering every chunk once.
func TestNextSlice(t *testing.T) {
	mk := func(n int) []byte { return make([]byte, n) }
	buf := [][]byte{mk(smallChunk), mk(bigChunk), mk(bigChunk), mk(bigChunk), mk(bigChunk), mk(3 << 20), mk(10), mk(bigChunk)}
	var cuts []int
	for i := 0; i < len(buf); {
		j := nextSlice(buf, i)
		size := 0
		for _, c := range buf[i:j] {
			size += len(c)
		}
		if j <= i || (size > maxSlice && j-i > 1) {
			t.Fatalf("slice [%d:%d] holds %d bytes in %d chunks", i, j, size, j-i)
		}
		cuts = append(cuts, j)
		i = j
	}
	if want := []int{4, 5, 6, 8}; !slices.Equal(cuts, want) {
		t.Fatalf("cuts %v, want %v", cuts, want)
	}
}

// A large frame queued for several sessions is one copy they share: a
// frame queued after it goes to a chunk of the session's own, and the
// copy is given back only when the last queue holding it has let go.
func TestSharedFrameIsNeverAppendedTo(t *testing.T) {
	frame := bytes.Repeat([]byte{7}, shareMin)
	sf := newSharedFrame(frame)
	var a, b outQueue
	a.init(nil)
	b.init(nil)
	a.enqueue(frame, sf, 10, false)
	b.enqueue(frame, sf, 10, false)
	a.enqueue([]byte("small"), nil, 10, false)
	sf.release() // the maker's reference
	if len(a.pending) != 2 || !bytes.Equal(a.pending[0], frame) || string(a.pending[1]) != "small" {
		t.Fatalf("a's chunks: %d, first %d bytes", len(a.pending), len(a.pending[0]))
	}
	if &a.pending[0][0] != &b.pending[0][0] {
		t.Fatal("the two queues hold two copies of the shared frame")
	}
	if got := sf.refs.Load(); got != 2 {
		t.Fatalf("refs %d with two queues holding it, want 2", got)
	}
	a.counts[0].release(a.pending[0])
	if got := sf.refs.Load(); got != 1 {
		t.Fatalf("refs %d after one queue let go, want 1", got)
	}
	if !bytes.Equal(b.pending[0], frame) {
		t.Fatal("the shared frame changed while a queue still holds it")
	}
}

// A session removed with output still queued gives that output back once
// its writer has written it, as after any other write: here the last
// reference to a shared frame, which otherwise never returns to its pool.
func TestFinishReleasesQueuedOutput(t *testing.T) {
	d := startTest(t)
	client, conn := net.Pipe()
	defer client.Close()
	s := &session{d: d, conn: conn, done: make(chan struct{})}
	s.out.init(conn)
	frame := bytes.Repeat([]byte{7}, shareMin)
	sf := newSharedFrame(frame)
	s.out.enqueue(frame, sf, 10, false)
	sf.release() // the maker's reference: the queue holds the last one
	s.out.enqueue([]byte("small"), nil, 10, false)
	s.out.finish()
	d.wg.Add(1)
	go s.writeLoop()
	got, err := io.ReadAll(client)
	if err != nil {
		t.Fatal(err)
	}
	if want := append(slices.Clip(frame), "small"...); !bytes.Equal(got, want) {
		t.Fatalf("the client read %d bytes, want the %d queued", len(got), len(want))
	}
	<-s.done
	if refs := sf.refs.Load(); refs != 0 {
		t.Fatalf("the shared frame has %d references after the writer finished, want 0", refs)
	}
}
