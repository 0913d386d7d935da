//go:build unix

package daemon

import (
	"encoding/binary"
	"io"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// libspreadWindow is spflooder's flow control: at most this many messages
// sent and not yet received.
const libspreadWindow = 200

// benchLibspreadPattern floods b.N 1000-byte AGREED messages the way a
// libspread program does: the sender writes one message per system call,
// the receiver reads each message with three reads (header, group names,
// body, as SP_receive does), and at most libspreadWindow are in flight.
// The daemon runs in a process of its own, so the reported daemon CPU time
// per message is the daemon's alone. SPGO_BENCH_DAEMON (and
// SPGO_BENCH_DAEMON_PID for its CPU time) measures another daemon with the
// same client code.
func benchLibspreadPattern(b *testing.B, network string) {
	p := benchDaemonProc(b)
	addr := p.tcp
	if network == "unix" {
		addr = p.unix
	}
	snd := dialRaw(b, network, addr, "snd", false)
	rcv := dialRaw(b, network, addr, "rcv", true)
	rcv.join("bench")
	rcv.recv() // its own join: the group exists
	if n := rcv.r.Buffered(); n != 0 {
		b.Fatalf("%d bytes buffered after the join; the receiver must read the connection itself", n)
	}
	frame := snd.appendMsg(nil, wire.AgreedMess, []string{"bench"}, 7, make([]byte, 1000))
	window := make(chan struct{}, libspreadWindow)
	errc := make(chan error, 1)
	var cpu0 procSample
	if p.cpu != nil {
		var err error
		if cpu0, err = p.cpu(); err != nil {
			b.Fatal(err)
		}
	}
	var r0, w0 int64
	if p.pid != "" {
		var err error
		if r0, w0, err = procSyscalls(p.pid); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	go func() { errc <- readLikeLibspread(rcv, b.N, window) }()
	for i := 0; i < b.N; i++ {
		window <- struct{}{}
		if _, err := snd.c.Write(frame); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
	if p.cpu != nil {
		cpu1, err := p.cpu()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64((cpu1.cpu-cpu0.cpu).Nanoseconds())/float64(b.N), "daemon-cpu-ns/msg")
		if cpu0.mallocs >= 0 {
			b.ReportMetric(float64(cpu1.mallocs-cpu0.mallocs)/float64(b.N), "daemon-allocs/msg")
		}
	}
	if p.pid != "" {
		r1, w1, err := procSyscalls(p.pid)
		if err != nil {
			b.Fatal(err)
		}
		// A daemon that uses recvmsg and sendmsg (Spread does) shows none.
		if r1 > r0 || w1 > w0 {
			b.ReportMetric(float64(r1-r0)/float64(b.N), "daemon-reads/msg")
			b.ReportMetric(float64(w1-w0)/float64(b.N), "daemon-writes/msg")
		}
	}
}

// readLikeLibspread receives n messages with one read for the header, one
// for the group names and one for the body, freeing a window slot for each.
func readLikeLibspread(cl *rawClient, n int, window <-chan struct{}) error {
	hdr := make([]byte, wire.HeaderSize)
	buf := make([]byte, 1<<20)
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(cl.c, hdr); err != nil {
			return err
		}
		groups := int(binary.LittleEndian.Uint32(hdr[36:])) * wire.MaxGroupName
		data := int(binary.LittleEndian.Uint32(hdr[44:]))
		if groups+data > len(buf) {
			return io.ErrShortBuffer
		}
		if _, err := io.ReadFull(cl.c, buf[:groups]); err != nil {
			return err
		}
		if _, err := io.ReadFull(cl.c, buf[:data]); err != nil {
			return err
		}
		<-window
	}
	return nil
}

func BenchmarkDaemonLibspreadTCP(b *testing.B)  { benchLibspreadPattern(b, "tcp") }
func BenchmarkDaemonLibspreadUnix(b *testing.B) { benchLibspreadPattern(b, "unix") }
