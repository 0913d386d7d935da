package daemon

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"runtime"
	"syscall"
	"testing"
)

// flush writes in place what the socket takes at once, keeps the rest in
// order (a partly written chunk included) and hands it to the writer:
// here the test plays the writer, flushing again while the peer reads.
func TestFlushInPlaceKeepsTheRestInOrder(t *testing.T) {
	c, peer := smallBufferPair(t)

	var o outQueue
	o.init(c)
	if o.raw == nil {
		t.Fatal("a TCP connection has no raw writer")
	}
	const frames, size = 300, 3000
	var want []byte
	for i := 0; i < frames; i++ {
		f := bytes.Repeat([]byte{byte(i)}, size)
		binary.LittleEndian.PutUint32(f, uint32(i))
		want = append(want, f...)
		if _, _, ok := o.enqueue(f, nil, frames, false); !ok {
			t.Fatal("enqueue refused a frame under the limit")
		}
	}
	select {
	case <-o.wake:
		t.Fatal("enqueue without wake signalled the writer")
	default:
	}
	o.flush()
	o.mu.Lock()
	left, queued := len(o.pending), o.queued
	o.mu.Unlock()
	if left == 0 || queued == 0 || queued == frames {
		t.Fatalf("after one flush into a full socket: %d chunks, %d of %d messages queued; want part written, part left", left, queued, frames)
	}
	select {
	case <-o.wake:
	default:
		t.Fatal("a flush that left frames did not hand them to the writer")
	}

	flushUntilRead(t, &o, peer, want, size)
	if o.queued != 0 || o.busy {
		t.Fatalf("after everything was written: queued %d, busy %v", o.queued, o.busy)
	}
}

// hookConn runs before ahead of each raw write: a test's way to act while
// a flush is under way.
type hookConn struct {
	syscall.RawConn
	before func()
}

func (h hookConn) Write(f func(fd uintptr) bool) error {
	h.before()
	return h.RawConn.Write(f)
}

// Frames queued while an in-place write is under way (a shared one among
// them) go after what that write left, and every message is accounted for
// once.
func TestFlushQueuedDuringWriteGoesAfterTheRest(t *testing.T) {
	c, peer := smallBufferPair(t)

	var o outQueue
	o.init(c)
	const frames, later, size = 200, 20, 3000
	var want []byte
	frame := func(i int) []byte {
		f := bytes.Repeat([]byte{byte(i)}, size)
		binary.LittleEndian.PutUint32(f, uint32(i))
		want = append(want, f...)
		return f
	}
	for i := 0; i < frames; i++ {
		o.enqueue(frame(i), nil, 2*frames, false)
	}
	hooked := false
	o.raw.rc = hookConn{RawConn: o.raw.rc, before: func() {
		if hooked {
			return
		}
		hooked = true
		sf := newSharedFrame(frame(frames))
		o.enqueue(nil, sf, 2*frames, false)
		sf.release()
		for i := frames + 1; i < frames+later; i++ {
			o.enqueue(frame(i), nil, 2*frames, false)
		}
	}}
	o.flush()
	o.mu.Lock()
	queued := o.queued
	o.mu.Unlock()
	if !hooked || queued <= later || queued >= frames+later {
		t.Fatalf("after one flush into a full socket: %d of %d messages queued; want part written, part left", queued, frames+later)
	}

	flushUntilRead(t, &o, peer, want, size)
	if o.queued != 0 || o.busy {
		t.Fatalf("after everything was written: queued %d, busy %v", o.queued, o.busy)
	}
}

// smallBufferPair is a loopback TCP connection (c, and its peer) with 16 KiB
// socket buffers, so that a write of a few hundred KiB stops part way.
func smallBufferPair(t *testing.T) (c, peer net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	c, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.(*net.TCPConn).SetWriteBuffer(16 << 10)
	peer.(*net.TCPConn).SetReadBuffer(16 << 10)
	return c, peer
}

// flushUntilRead plays the writer goroutine: it flushes o again and again
// while the peer reads, until nothing is pending, and checks that the peer
// read exactly want (frames of size bytes, in order).
func flushUntilRead(t *testing.T, o *outQueue, peer net.Conn, want []byte, size int) {
	t.Helper()
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, len(want))
		if _, err := io.ReadFull(peer, b); err != nil {
			t.Error(err)
		}
		got <- b
	}()
	for {
		o.mu.Lock()
		empty := len(o.pending) == 0
		o.mu.Unlock()
		if empty {
			break
		}
		o.flush()
		runtime.Gosched()
	}
	if b := <-got; !bytes.Equal(b, want) {
		i := 0
		for i < len(b) && b[i] == want[i] {
			i++
		}
		t.Fatalf("peer read differs from the frames in order at byte %d of %d (frame %d)", i, len(want), i/size)
	}
}
