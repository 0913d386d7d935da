package daemon

import (
	"bufio"
	"encoding/binary"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// benchPair is one sender and one receiver (member of "bench") on d over
// network.
func benchPair(b *testing.B, d *Daemon, network string) (snd, rcv *rawClient) {
	addr := d.TCPAddr().String()
	if network == "unix" {
		addr = d.UnixPath()
	}
	snd = dialRaw(b, network, addr, "snd", false)
	rcv = dialRaw(b, network, addr, "rcv", false)
	rcv.join("bench")
	waitMembers(b, d, "bench", 1)
	return snd, rcv
}

func startBench(b *testing.B) *Daemon {
	d, err := Start(Config{Name: "localhost", SocketDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d
}

// benchThroughput floods b.N 1000-byte AGREED messages from one sender to
// one receiver and reports msgs/s (the real 4.4.0 daemon: ~42k/s TCP,
// ~67k/s Unix on the reference 2-core machine).
func benchThroughput(b *testing.B, network string) {
	d := startBench(b)
	snd, rcv := benchPair(b, d, network)
	frame := snd.appendMsg(nil, wire.AgreedMess, []string{"bench"}, 7, make([]byte, 1000))
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	errc := make(chan error, 1)
	b.ResetTimer()
	start := time.Now()
	go func() {
		w := bufio.NewWriterSize(snd.c, 64<<10)
		for i := 0; i < b.N; i++ {
			if _, err := w.Write(frame); err != nil {
				errc <- err
				return
			}
		}
		errc <- w.Flush()
	}()
	if err := drainFrames(rcv, b.N); err != nil {
		b.Fatal(err)
	}
	el := time.Since(start)
	b.StopTimer()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
}

// drainFrames reads n frames, looking at headers only.
func drainFrames(cl *rawClient, n int) error {
	r := bufio.NewReaderSize(cl.r, 256<<10) // keep what the handshake reader holds
	cl.c.SetReadDeadline(time.Now().Add(time.Minute))
	defer cl.c.SetReadDeadline(time.Time{})
	for i := 0; i < n; i++ {
		hdr, err := r.Peek(wire.HeaderSize)
		if err != nil {
			return err
		}
		ng := binary.LittleEndian.Uint32(hdr[36:])
		dl := binary.LittleEndian.Uint32(hdr[44:])
		if _, err := r.Discard(wire.HeaderSize + int(ng)*wire.MaxGroupName + int(dl)); err != nil {
			return err
		}
	}
	return nil
}

func BenchmarkDaemonTCP(b *testing.B)  { benchThroughput(b, "tcp") }
func BenchmarkDaemonUnix(b *testing.B) { benchThroughput(b, "unix") }

// benchLatency sends one 1000-byte AGREED message at a time and waits for
// it at the receiver: unloaded one-way latency through the daemon,
// reported as p50/p99 in µs.
func benchLatency(b *testing.B, network string) {
	d := startBench(b)
	snd, rcv := benchPair(b, d, network)
	frame := snd.appendMsg(nil, wire.AgreedMess, []string{"bench"}, 7, make([]byte, 1000))
	buf := make([]byte, len(frame))
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := snd.c.Write(frame); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(rcv.c, buf); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
}

func BenchmarkDaemonLatencyTCP(b *testing.B)  { benchLatency(b, "tcp") }
func BenchmarkDaemonLatencyUnix(b *testing.B) { benchLatency(b, "unix") }

// BenchmarkDaemonFanout10 floods 1000-byte AGREED messages from one sender
// to a group of 10 receivers over TCP and reports messages and deliveries
// per second.
func BenchmarkDaemonFanout10(b *testing.B) {
	d := startBench(b)
	snd := dialRaw(b, "tcp", d.TCPAddr().String(), "snd", false)
	var rcvs []*rawClient
	for i := 0; i < 10; i++ {
		r := dialRaw(b, "tcp", d.TCPAddr().String(), "r"+string(rune('0'+i)), false)
		r.join("fan")
		rcvs = append(rcvs, r)
	}
	waitMembers(b, d, "fan", 10)
	frame := snd.appendMsg(nil, wire.AgreedMess, []string{"fan"}, 7, make([]byte, 1000))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	errc := make(chan error, len(rcvs)+1)
	for _, r := range rcvs {
		go func() { errc <- drainFrames(r, b.N) }()
	}
	w := bufio.NewWriterSize(snd.c, 64<<10)
	for i := 0; i < b.N; i++ {
		if _, err := w.Write(frame); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	for range rcvs {
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
	b.ReportMetric(float64(b.N*len(rcvs))/el.Seconds(), "deliveries/s")
}
