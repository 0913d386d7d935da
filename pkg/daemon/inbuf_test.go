package daemon

import (
	"net"
	"testing"

	"github.com/spgo/spgo/internal/wire"
)

// backlogConn is a connection with n bytes waiting: every Read fills
// what it is given, as a socket a client has written far ahead does.
type backlogConn struct {
	net.Conn
	n     int
	reads int
}

func (c *backlogConn) Read(p []byte) (int, error) {
	m := min(len(p), c.n)
	c.n -= m
	c.reads++
	return m, nil
}

// Regression: with 1080-byte frames (a 1000-byte message to one group)
// the free space after a partial frame was about one frame, no read ever
// filled the whole buffer, and a client writing one message per system
// call was read one message per read however far ahead it was.
func TestInbufGrowsWhenReadsFillTheirSpace(t *testing.T) {
	const frame, frames = 1080, 2000
	c := &backlogConn{n: frame * frames}
	var b inbuf
	b.attach(c)
	for done := 0; done < frames; {
		if err := b.fill(frame); err != nil {
			t.Fatal(err)
		}
		whole := b.buffered() / frame
		b.consume(whole * frame)
		done += whole
	}
	if c.reads > frames/8 {
		t.Fatalf("%d reads for %d frames waiting; want at most %d (the buffer should grow)", c.reads, frames, frames/8)
	}
}

// Regression: a client sending one 1080-byte frame at a time (unloaded,
// one message in flight) had each frame read in two reads, 1024 bytes and
// 56, because the buffer grown for the frame was given back as soon as it
// was empty, the last read having been short.
func TestInbufKeepsRoomForOneFrameAtATime(t *testing.T) {
	const frame, frames = 1080, 100
	c := &backlogConn{}
	var b inbuf
	b.attach(c)
	for i := 0; i < frames; i++ {
		c.n = frame // the next frame arrives once the last one is handled
		for b.buffered() < frame {
			need := wire.HeaderSize // what readLoop asks for until it has a header
			if b.buffered() >= wire.HeaderSize {
				need = frame
			}
			if err := b.fill(need); err != nil {
				t.Fatal(err)
			}
		}
		b.consume(frame)
	}
	if c.reads > frames+1 {
		t.Fatalf("%d reads for %d frames sent one at a time; want at most %d", c.reads, frames, frames+1)
	}
}

// Regression: once a backlog read ahead (more than inbufMax buffered)
// drained, every fill resized the buffer to the backlog plus one byte, a
// size no pool holds: an allocation and a copy of the backlog each time.
func TestInbufDrainingBacklogReusesBuffer(t *testing.T) {
	const frame = 1080
	c := &backlogConn{n: 4 * readAheadMax}
	var b inbuf
	b.attach(c)
	for b.canReadAhead(readAheadMax) {
		if err := b.readAhead(readAheadMax); err != nil {
			t.Fatal(err)
		}
	}
	c.n = 0 // the client has sent nothing more
	allocs := testing.AllocsPerRun(100, func() {
		b.consume(frame)
		if err := b.fill(frame); err != nil {
			t.Fatal(err)
		}
	})
	if b.buffered() <= inbufMax {
		t.Fatalf("backlog %d bytes: the test needs more than inbufMax", b.buffered())
	}
	if allocs != 0 {
		t.Fatalf("%.0f allocations per fill while a %d-byte backlog drains, want 0", allocs, b.buffered())
	}
}

func TestReadBufClasses(t *testing.T) {
	for size, want := range map[int]int{inbufMin: 0, 2 * inbufMin: 1, inbufMax: 8, readAheadMax: len(readBufs) - 1,
		2 * readAheadMax: -1, inbufMin / 2: -1, 3 * inbufMin: -1} {
		if got := readBufClass(size); got != want {
			t.Errorf("readBufClass(%d) = %d, want %d", size, got, want)
		}
	}
}
