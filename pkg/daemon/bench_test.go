package daemon

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// benchDaemonEnv names an external daemon ("PORT@HOST") to benchmark
// instead of the embedded one, e.g. a real Spread 4.4 daemon for
// comparison: its Unix socket is taken to be /tmp/PORT.
const benchDaemonEnv = "SPGO_BENCH_DAEMON"

// benchAddr returns where the benchmark connects: the embedded daemon, or
// the one named by SPGO_BENCH_DAEMON.
func benchAddr(b *testing.B, network string) string {
	if ext := os.Getenv(benchDaemonEnv); ext != "" {
		port, host, ok := strings.Cut(ext, "@")
		if !ok {
			b.Fatalf("%s=%q: want PORT@HOST", benchDaemonEnv, ext)
		}
		if network == "unix" {
			return "/tmp/" + port
		}
		return net.JoinHostPort(host, port)
	}
	d := startBench(b)
	if network == "unix" {
		return d.UnixPath()
	}
	return d.TCPAddr().String()
}

// benchPair is one sender and one receiver, member of "bench".
func benchPair(b *testing.B, network string) (snd, rcv *rawClient) {
	addr := benchAddr(b, network)
	snd = dialRaw(b, network, addr, "snd", false)
	rcv = dialRaw(b, network, addr, "rcv", true)
	rcv.join("bench")
	rcv.recv() // its own join: the group exists
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
// one receiver and reports msgs/s. SPGO_BENCH_DAEMON=PORT@HOST runs the
// same against another daemon (a real 4.4.0 one for comparison).
func benchThroughput(b *testing.B, network string) {
	snd, rcv := benchPair(b, network)
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
	snd, rcv := benchPair(b, network)
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
	addr := benchAddr(b, "tcp")
	snd := dialRaw(b, "tcp", addr, "snd", false)
	var rcvs []*rawClient
	for i := 0; i < 10; i++ {
		r := dialRaw(b, "tcp", addr, "r"+string(rune('0'+i)), true)
		r.join("fan")
		r.recv() // its own join
		rcvs = append(rcvs, r)
	}
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
