package daemon

import (
	"encoding/binary"
	"net"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// TestSlowLargeReaderNotKilled: a receiver that reads 100 kB messages
// steadily but slower than the sender floods them must be slowed down,
// not killed (docs/daemon-differences.md row 10). Its writer may hold
// many megabytes at once; what tells a slow reader from a stalled one is
// that bytes keep moving, however long the whole batch takes.
//
// Numbers: the sender waits once limit/2 messages are queued, so a batch
// holds about 50 messages (5 MB); at one message per pace (4 MB/s) that
// takes 1.25 s to write, longer than stallTimeout. The reader paces itself
// only until every message has been queued for it (the daemon can kill it
// only when it queues), then reads the rest at full speed.
func TestSlowLargeReaderNotKilled(t *testing.T) {
	const (
		limit = 100
		n     = 200
		body  = 100_000
		pace  = 25 * time.Millisecond
	)
	d := startTest(t, func(c *Config) { c.MaxSessionMessages = limit })

	// The receiver is served over a loopback connection with small socket
	// buffers, so what moves is what the reader reads, not what the
	// kernels can hold.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.(*net.TCPConn).SetWriteBuffer(64 << 10)
		d.ServeConn(c)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.(*net.TCPConn).SetReadBuffer(64 << 10)
	r := handshakeRaw(t, c, "slowbig", false)
	r.join("big")
	waitMembers(t, d, "big", 1)

	s := connect(t, d, "flood", false)
	sent := make(chan error, 1)
	go func() {
		data := make([]byte, body)
		var frame []byte
		for i := 0; i < n; i++ {
			binary.LittleEndian.PutUint32(data, uint32(i))
			frame = s.appendMsg(frame[:0], wire.AgreedMess, []string{"big"}, 0, data)
			if _, err := s.w.Write(frame); err != nil {
				sent <- err
				return
			}
		}
		sent <- s.w.Flush()
	}()

	start := time.Now()
	for i := 0; i < n; i++ {
		m, err := r.tryRecv(clientTimeout)
		if err != nil {
			t.Fatalf("receiver lost after %d of %d messages (%v): %v; stats %+v", i, n, time.Since(start), err, d.Stats())
		}
		if m.Type&wire.RegularMess == 0 || len(m.Body) != body {
			t.Fatalf("message %d: type 0x%x, %d bytes", i, m.Type, len(m.Body))
		}
		if got := binary.LittleEndian.Uint32(m.Body); got != uint32(i) {
			t.Fatalf("message %d: got %d", i, got)
		}
		if d.Stats().MessagesOut < n {
			time.Sleep(pace) // a steady reader, slower than the sender
		}
	}
	if err := <-sent; err != nil {
		t.Fatalf("sender: %v", err)
	}
	if st := d.Stats(); st.Kills != 0 || st.SenderWaits == 0 {
		t.Fatalf("kills %d, sender waits %d: want 0 kills and some waits", st.Kills, st.SenderWaits)
	}
	t.Logf("%d messages of %d bytes in %v", n, body, time.Since(start))
}
