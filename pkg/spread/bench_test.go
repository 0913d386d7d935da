package spread_test

import (
	"os"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// BenchmarkMulticast measures the client's send path alone: 1000-byte
// AGREED messages into a connection that discards them.
func BenchmarkMulticast(b *testing.B) {
	mb, err := fakeMailbox(acceptBytes("#bench#fake"), -1)
	if err != nil {
		b.Fatal(err)
	}
	defer mb.Disconnect()
	data := make([]byte, 1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := mb.Multicast(spread.AgreedMess, "bench", data, 1); err != nil {
			b.Fatal(err)
		}
	}
	if err := mb.Flush(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMulticastParallel is Multicast from many goroutines at once.
func BenchmarkMulticastParallel(b *testing.B) {
	mb, err := fakeMailbox(acceptBytes("#bench#fake"), -1)
	if err != nil {
		b.Fatal(err)
	}
	defer mb.Disconnect()
	data := make([]byte, 1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := mb.Multicast(spread.AgreedMess, "bench", data, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func benchStream() []byte {
	hs := acceptBytes("#bench#fake")
	stream := hs
	for range 64 {
		stream = append(stream, frame(wire.AgreedMess, "#a#fake", []string{"bench"}, wire.MakeHint(1), make([]byte, 1000))...)
	}
	return stream
}

// BenchmarkReceiveRaw measures the allocation-free receive path over an
// endless stream of 1000-byte messages.
func BenchmarkReceiveRaw(b *testing.B) {
	s := benchStream()
	mb, err := fakeMailbox(s, len(acceptBytes("#bench#fake")))
	if err != nil {
		b.Fatal(err)
	}
	defer mb.Disconnect()
	var rm spread.RawMessage
	b.SetBytes(1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := mb.ReceiveRaw(&rm); err != nil {
			b.Fatal(err)
		}
	}
	if len(rm.Data) != 1000 || rm.Service != spread.AgreedMess {
		b.Fatalf("got %v %d", rm.Service, len(rm.Data))
	}
}

// BenchmarkReceive is the owned-value receive for comparison.
func BenchmarkReceive(b *testing.B) {
	s := benchStream()
	mb, err := fakeMailbox(s, len(acceptBytes("#bench#fake")))
	if err != nil {
		b.Fatal(err)
	}
	defer mb.Disconnect()
	b.SetBytes(1000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := mb.Receive(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlood mirrors the C benchmark cbench: one sender and one
// receiver, both members of the group, 1000-byte AGREED messages; the
// sender keeps at most 200 of its own messages outstanding (it counts its
// echoes), which keeps a real daemon from killing the receiver as a slow
// consumer. It runs against spreadtest.Daemon (embedded, or
// SPGO_TEST_DAEMON) and reports the receiver's messages per second.
func BenchmarkFlood(b *testing.B) { benchFlood(b, 200) }

// BenchmarkFloodUnpaced sends without a window: only the embedded daemon
// takes that (a real 4.4 daemon kills a receiver 1000 messages behind).
func BenchmarkFloodUnpaced(b *testing.B) {
	if os.Getenv(spreadtest.EnvDaemon) != "" {
		b.Skip("a real daemon kills the receiver as a slow consumer without a send window")
	}
	benchFlood(b, 0)
}

func benchFlood(b *testing.B, window int) {
	d := spreadtest.Daemon(b)
	group := uniq("flood")
	join := func(p string) *spread.Mailbox {
		mb, err := spread.Connect(d, spread.WithName(uniq(p)))
		if err != nil {
			b.Fatal(err)
		}
		if err := mb.Join(group); err != nil {
			b.Fatal(err)
		}
		// Our own join notice: the daemon has the join before anything
		// sent afterwards on any connection.
		for {
			msg, err := mb.Receive()
			if err != nil {
				b.Fatal(err)
			}
			if m, ok := msg.(*spread.MembershipMessage); ok && m.IndexOf(mb.PrivateGroup()) >= 0 {
				return mb
			}
		}
	}
	recv := join("r")
	defer recv.Disconnect()
	sender := join("s")
	defer sender.Disconnect()

	n := b.N
	data := make([]byte, 1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	recvDone := make(chan error, 1)
	go func() { recvDone <- countData(recv, n, nil) }()
	var credits chan struct{}
	echoDone := make(chan error, 1)
	if window > 0 {
		credits = make(chan struct{}, window)
	}
	// The sender is a member: it must drain its echoes either way.
	go func() { echoDone <- countData(sender, n, credits) }()
	for range n {
		if credits != nil {
			credits <- struct{}{}
		}
		if err := sender.Multicast(spread.AgreedMess, group, data, 1); err != nil {
			b.Fatal(err)
		}
	}
	if err := sender.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := <-recvDone; err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	if err := <-echoDone; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msg/s")
}

// countData receives until n data messages of type 1 arrived, freeing a
// window credit for each when credits is set.
func countData(mb *spread.Mailbox, n int, credits chan struct{}) error {
	var rm spread.RawMessage
	for got := 0; got < n; {
		if err := mb.ReceiveRaw(&rm); err != nil {
			return err
		}
		if rm.Service.IsRegular() && rm.MsgType == 1 {
			got++
			if credits != nil {
				<-credits
			}
		}
	}
	return nil
}
