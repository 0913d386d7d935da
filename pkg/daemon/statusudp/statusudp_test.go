package statusudp_test

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/monwire"
	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
	"github.com/spgo/spgo/pkg/spread"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func serve(t *testing.T, opts statusudp.Options) (*statusudp.Responder, *syncBuf) {
	t.Helper()
	c, err := statusudp.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuf{}
	opts.Logger = slog.New(slog.NewTextHandler(logs, nil))
	r := statusudp.Serve(c, opts)
	t.Cleanup(func() { r.Close() })
	return r, logs
}

// monitor is a UDP socket that sends queries and reads replies.
func monitor(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func query(t *testing.T, m *net.UDPConn, to net.Addr, o monwire.ByteOrder) {
	t.Helper()
	q := monwire.AppendQuery(nil, monwire.Query{ProcID: 0x7f000001, ReplyPort: uint16(m.LocalAddr().(*net.UDPAddr).Port)}, o)
	if _, err := m.WriteTo(q, to); err != nil {
		t.Fatal(err)
	}
}

func readReply(t *testing.T, m *net.UDPConn, wait time.Duration) (monwire.Reply, bool) {
	t.Helper()
	m.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 2048)
	n, err := m.Read(buf)
	if err != nil {
		return monwire.Reply{}, false
	}
	if n != monwire.ReplySize {
		t.Fatalf("reply of %d bytes", n)
	}
	r, err := monwire.DecodeReply(buf[:n])
	if err != nil {
		t.Fatal(err)
	}
	return r, true
}

func TestAnswersStatusInBothByteOrders(t *testing.T) {
	d := spreadtest.Run(t)
	mb, err := spread.Connect(d.SpreadName(), spread.WithName("a"))
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Disconnect()
	if err := mb.Join("g"); err != nil {
		t.Fatal(err)
	}
	if _, err := mb.Receive(); err != nil { // own join: the group exists
		t.Fatal(err)
	}
	r, _ := serve(t, statusudp.Options{Node: d})
	m := monitor(t)
	for _, o := range []monwire.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		query(t, m, r.Addr(), o)
		rep, ok := readReply(t, m, 10*time.Second)
		if !ok {
			t.Fatal("no reply")
		}
		s := rep.Status
		if rep.Known != 30 || rep.Header.ProcID != 0x7f000001 || s.MyID != 0x7f000001 || s.LeaderID != 0x7f000001 ||
			s.State != 1 || s.NumProcs != 1 || s.NumSessions != 1 || s.NumGroups != 1 || s.Version() != "4.4.0" {
			t.Errorf("reply %+v", rep)
		}
	}
}

func TestIgnoresCommandsAndBadQueriesAndLogs(t *testing.T) {
	d := spreadtest.Run(t)
	r, logs := serve(t, statusudp.Options{Node: d})
	m := monitor(t)
	port := uint32(m.LocalAddr().(*net.UDPAddr).Port)
	bad := map[string][]byte{}
	for name, typ := range map[string]uint32{"partition": monwire.PartitionType, "flow control": monwire.FCType, "reload": monwire.ReloadType} {
		h := monwire.Header{Type: typ, ProcID: 0x7f000001, MembProcID: monwire.Magic, Seq: port, ConfHash: monwire.MonitorHash}
		bad[name] = monwire.AppendHeader(nil, &h, binary.LittleEndian)
	}
	good := monwire.AppendQuery(nil, monwire.Query{ProcID: 1, ReplyPort: uint16(port)}, binary.LittleEndian)
	bad["short"] = good[:39]
	bad["long"] = append(append([]byte(nil), good...), 0)
	noMagic := append([]byte(nil), good...)
	noMagic[12] = 0
	bad["magic"] = noMagic
	for _, b := range bad {
		if _, err := m.WriteTo(b, r.Addr()); err != nil {
			t.Fatal(err)
		}
	}
	// A good query after them: its reply means the bad ones were read.
	query(t, m, r.Addr(), binary.LittleEndian)
	if _, ok := readReply(t, m, 10*time.Second); !ok {
		t.Fatal("no reply to the good query")
	}
	if _, ok := readReply(t, m, 50*time.Millisecond); ok {
		t.Fatal("a second reply: a bad packet was answered")
	}
	out := logs.String()
	for _, want := range []string{"partition command", "flow control command", "reload command", "shorter than the 40-byte header",
		"status query: 41 bytes, header says 40", "monitor magic"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, `msg="monitor packet ignored"`) != len(bad) {
		t.Errorf("want %d log lines:\n%s", len(bad), out)
	}
}

func TestRateLimited(t *testing.T) {
	d := spreadtest.Run(t)
	r, logs := serve(t, statusudp.Options{Node: d, Rate: 0.001, Burst: 3})
	m := monitor(t)
	for range 10 {
		query(t, m, r.Addr(), binary.LittleEndian)
	}
	got := 0
	for {
		if _, ok := readReply(t, m, 200*time.Millisecond); !ok {
			break
		}
		got++
	}
	if got != 3 {
		t.Errorf("%d replies to 10 queries, want the burst of 3", got)
	}
	if !strings.Contains(logs.String(), "reply rate limit reached") {
		t.Errorf("log: %s", logs.String())
	}
}

// TestRingNodesAnswerForThemselves: each node reports its own sessions,
// its address and the ring's membership and leader.
func TestRingNodesAnswerForThemselves(t *testing.T) {
	ring := spreadtest.Ring(t, 3)
	nodes := ring.Nodes()
	mb, err := spread.Connect(nodes[1].SpreadName(), spread.WithName("b"))
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Disconnect()
	m := monitor(t)
	for i, n := range nodes {
		r, _ := serve(t, statusudp.Options{Node: n, Ring: ring.Nodes})
		query(t, m, r.Addr(), binary.LittleEndian)
		rep, ok := readReply(t, m, 10*time.Second)
		if !ok {
			t.Fatalf("%s: no reply", n.Name())
		}
		wantSessions := int16(0)
		if i == 1 {
			wantSessions = 1
		}
		if rep.Status.NumProcs != 3 || rep.Status.NumSessions != wantSessions || rep.Status.LeaderID != int32(id(t, nodes[0])) ||
			rep.Status.MyID != int32(id(t, n)) {
			t.Errorf("%s: %+v", n.Name(), rep.Status)
		}
	}
}

// TestFrozenNodeIsSilent: a frozen ring node answers nothing, as a
// stopped daemon; thawed, it answers again.
func TestFrozenNodeIsSilent(t *testing.T) {
	ring := spreadtest.Ring(t, 2)
	r, _ := serve(t, statusudp.Options{Node: ring.Node("d2"), Ring: ring.Nodes})
	m := monitor(t)
	if err := ring.Freeze("d2"); err != nil {
		t.Fatal(err)
	}
	query(t, m, r.Addr(), binary.LittleEndian)
	if rep, ok := readReply(t, m, 300*time.Millisecond); ok {
		t.Fatalf("the frozen node answered: %+v", rep.Status)
	}
	if err := ring.Thaw("d2"); err != nil {
		t.Fatal(err)
	}
	query(t, m, r.Addr(), binary.LittleEndian)
	if rep, ok := readReply(t, m, 10*time.Second); !ok || rep.Status.NumProcs != 2 {
		t.Fatalf("thawed: %+v %v, want an answer with 2 daemons", rep.Status, ok)
	}
}

func id(t *testing.T, d *daemon.Daemon) uint32 {
	ip, _ := netip.AddrFromSlice(d.TCPAddr().(*net.TCPAddr).IP.To4())
	b := ip.As4()
	return binary.BigEndian.Uint32(b[:])
}

func FuzzHandle(f *testing.F) {
	f.Add(monwire.AppendQuery(nil, monwire.Query{ProcID: 1, ReplyPort: 6543}, binary.LittleEndian))
	f.Add(monwire.AppendQuery(nil, monwire.Query{ProcID: 1, ReplyPort: 6543}, binary.BigEndian))
	f.Add([]byte{})
	from := netip.MustParseAddrPort("127.0.0.1:5555")
	f.Fuzz(func(t *testing.T, b []byte) {
		to, ignored := statusudp.Handle(b, from)
		if (ignored == "") == !to.IsValid() {
			t.Fatalf("to %v ignored %q", to, ignored)
		}
		if ignored == "" && (to.Addr() != from.Addr() || len(b) < monwire.HeaderSize) {
			t.Fatalf("answered %d bytes, to %v", len(b), to)
		}
	})
}
