package daemon

import (
	"net"
	"testing"
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

func TestReadBufClasses(t *testing.T) {
	for size, want := range map[int]int{inbufMin: 0, 2 * inbufMin: 1, inbufMax: 8, readAheadMax: len(readBufs) - 1,
		2 * readAheadMax: -1, inbufMin / 2: -1, 3 * inbufMin: -1} {
		if got := readBufClass(size); got != want {
			t.Errorf("readBufClass(%d) = %d, want %d", size, got, want)
		}
	}
}
