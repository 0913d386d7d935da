package flood

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

type obs struct{ sender, seq uint32 }

func checkOf(seq []obs, sent map[uint32]uint32) Check {
	c := NewChecker()
	for _, o := range seq {
		c.Observe(o.sender, o.seq)
	}
	return c.Result(sent)
}

// interleave returns two senders' sequences 0..n-1 alternating.
func interleave(n uint32) []obs {
	var s []obs
	for i := range n {
		s = append(s, obs{0, i}, obs{1, i})
	}
	return s
}

func TestCheckerInOrder(t *testing.T) {
	got := checkOf(interleave(500), map[uint32]uint32{0: 500, 1: 500})
	if got.Delivered != 1000 || got.Distinct != 1000 || got.Lost != 0 || got.Duplicated != 0 || got.OutOfOrder != 0 {
		t.Fatalf("clean stream: %+v", got)
	}
}

func TestCheckerCatchesReorderLossDuplicates(t *testing.T) {
	s := interleave(100)
	s[10], s[12] = s[12], s[10]         // sender 0: seq 5 and 6 swapped
	s = append(s[:40], s[42:]...)       // seq 20 of both senders lost
	s = append(s, obs{1, 3}, obs{1, 3}) // sender 1's seq 3 twice more
	got := checkOf(s, map[uint32]uint32{0: 100, 1: 100})
	if got.OutOfOrder != 1 || got.Lost != 2 || got.Duplicated != 2 {
		t.Fatalf("got %+v, want 1 out of order, 2 lost, 2 duplicated", got)
	}
	if v := Violations(spread.FIFOMess, got.Lost, got.Duplicated, got.OutOfOrder, 0); len(v) != 3 {
		t.Errorf("FIFO violations %q, want loss, duplicates and order", v)
	}
	if v := Violations(spread.UnreliableMess, got.Lost, 0, got.OutOfOrder, 0); len(v) != 0 {
		t.Errorf("UNRELIABLE may lose and reorder, got %q", v)
	}
	if v := Violations(spread.ReliableMess, 0, 0, got.OutOfOrder, 0); len(v) != 0 {
		t.Errorf("RELIABLE may reorder, got %q", v)
	}
	if v := Violations(spread.ReliableMess, got.Lost, 0, 0, 0); len(v) != 1 || !strings.Contains(v[0], "lost 2") {
		t.Errorf("RELIABLE must not lose, got %q", v)
	}
}

// A late message at the very end, and a tail that never came.
func TestCheckerTailLossAndLateStart(t *testing.T) {
	s := []obs{{0, 1}, {0, 2}, {0, 0}}
	got := checkOf(s, map[uint32]uint32{0: 5, 7: 2})
	if got.OutOfOrder != 1 || got.Lost != 2+2 {
		t.Fatalf("got %+v, want 1 out of order and 4 lost (2 tail, 2 of a silent sender)", got)
	}
	// Unknown counts (remote senders): loss is the gaps below the highest.
	got = checkOf([]obs{{0, 0}, {0, 3}}, nil)
	if got.Lost != 2 {
		t.Fatalf("gaps: got %+v, want 2 lost", got)
	}
}

// Receivers of the same messages in one total order agree; a receiver
// that delivered two messages of different senders swapped does not —
// even though each sender's own order (FIFO) holds at both.
func TestTotalOrderAcrossReceivers(t *testing.T) {
	sent := map[uint32]uint32{0: 300, 1: 300}
	a := checkOf(interleave(300), sent)
	b := checkOf(interleave(300), sent)
	swapped := interleave(300)
	swapped[100], swapped[101] = swapped[101], swapped[100] // (0,50) and (1,50)
	c := checkOf(swapped, sent)
	if c.OutOfOrder != 0 {
		t.Fatalf("the swap keeps FIFO, got %d out of order", c.OutOfOrder)
	}
	if n := TotalOrderDisagreements([]Check{a, b}); n != 0 {
		t.Errorf("identical orders: %d disagree", n)
	}
	if n := TotalOrderDisagreements([]Check{a, b, c}); n != 1 {
		t.Errorf("one swapped receiver: %d disagree, want 1", n)
	}
	if v := Violations(spread.AgreedMess, 0, 0, 0, 1); len(v) != 1 || !strings.Contains(v[0], "total order") {
		t.Errorf("AGREED with a disagreeing receiver: %q", v)
	}
	// A receiver that lost messages is reported as loss, not disagreement.
	lossy := checkOf(interleave(299), sent)
	if n := TotalOrderDisagreements([]Check{a, lossy}); n != 0 {
		t.Errorf("lossy receiver counted as disagreeing: %d", n)
	}
}

func TestPayloadHeaderRoundTrip(t *testing.T) {
	b := make([]byte, PayloadHeader+3)
	putHeader(b, 7, 1<<31+5, -42)
	s, q, ts, ok := readHeader(b)
	if !ok || s != 7 || q != 1<<31+5 || ts != -42 {
		t.Fatalf("got %d %d %d %v", s, q, ts, ok)
	}
	if _, _, _, ok := readHeader(b[:PayloadHeader-1]); ok {
		t.Fatal("short payload accepted")
	}
}

// Every refusal is a *ConfigError naming the Config field at fault and
// the value.
func TestConfigErrorsNameTheValue(t *testing.T) {
	for _, tc := range []struct {
		cfg   Config
		field string
		want  string
	}{
		{Config{}, "Daemon", "Daemon"},
		{Config{Daemon: "4803", ReceiverDaemons: []string{"4803", ""}}, "ReceiverDaemons", "ReceiverDaemons"},
		{Config{Daemon: "4803", Size: 8}, "Size", "Size 8"},
		{Config{Daemon: "4803", Size: MaxSize + 1}, "Size", "Size 100001"},
		{Config{Daemon: "4803", Count: 5, Duration: 1}, "Duration", "either a count or a duration"},
		{Config{Daemon: "4803", Senders: -1}, "Senders", "Senders -1"},
		{Config{Daemon: "4803", Receivers: 1001}, "Receivers", "Receivers 1001 is not allowed; at most 1000"},
		{Config{Daemon: "4803", Mode: ModeReadOnly, Senders: 2}, "Senders", "0 in a read-only run"},
		{Config{Daemon: "4803", Mode: ModeWriteOnly, Receivers: 1}, "Receivers", "0 in a write-only run"},
		{Config{Daemon: "4803", Mode: ModeWriteAcked + 1}, "Mode", "Mode 4"},
		{Config{Daemon: "4803", Mode: ModeWriteOnly, RemoteReceivers: 2}, "RemoteReceivers", "only in a write-acked run"},
		{Config{Daemon: "4803", Mode: ModeReadOnly, Duration: time.Second}, "Duration", "give a count"},
		{Config{Daemon: "4803", Mode: ModeWriteOnly, Services: AllServices[:2]}, "Services", "exactly one service"},
		{Config{Daemon: "4803", Rate: -3}, "Rate", "Rate -3"},
		{Config{Daemon: "4803", Name: "verylongnm", Senders: 2}, "Name", `Name "verylongnm"`},
		{Config{Daemon: "4803", Group: "a b"}, "Group", `group name "a b" has byte ' ' (0x20) at offset 1`},
	} {
		_, err := tc.cfg.withDefaults()
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want a ConfigError on %s mentioning %q", tc.cfg, err, tc.field, tc.want)
		}
		if g := tc.cfg.Group; g != "" && err != nil && strings.Count(err.Error(), strconv.Quote(g)) != 1 {
			t.Errorf("%+v: error %v names the group more than once", tc.cfg, err)
		}
	}
	if _, err := ParseService("ordered"); err == nil || !strings.Contains(err.Error(), `"ordered"`) {
		t.Errorf("ParseService: %v", err)
	}
}

// Each mode fills in the side it runs here and leaves the other at zero.
func TestModeDefaults(t *testing.T) {
	for _, tc := range []struct {
		mode                                 Mode
		senders, receivers, remote, remoteRx int
	}{
		{ModeLocal, 1, 1, 0, 0},
		{ModeReadOnly, 0, 1, 1, 0},
		{ModeWriteOnly, 1, 0, 0, 0},
		{ModeWriteAcked, 1, 0, 0, 1},
	} {
		c, err := Config{Daemon: "4803", Mode: tc.mode, Services: AllServices[:1]}.withDefaults()
		if err != nil || c.Senders != tc.senders || c.Receivers != tc.receivers || c.RemoteSenders != tc.remote || c.RemoteReceivers != tc.remoteRx {
			t.Errorf("%s: %d senders, %d receivers, %d remote senders, %d remote receivers (%v)", tc.mode, c.Senders, c.Receivers, c.RemoteSenders, c.RemoteReceivers, err)
		}
		if got := ModeOf(c.Senders, c.Receivers, c.RemoteReceivers); got != tc.mode {
			t.Errorf("ModeOf(%d, %d, %d) = %s, want %s", c.Senders, c.Receivers, c.RemoteReceivers, got, tc.mode)
		}
	}
}

// One service type floods Group itself; several (or the default, all six)
// each flood Group-<service>.
func TestServiceGroup(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Group: "g", Services: []spread.ServiceType{spread.SafeMess}}, "g"},
		{Config{Group: "g", Services: []spread.ServiceType{spread.FIFOMess, spread.SafeMess}}, "g-safe"},
		{Config{}, DefaultGroup + "-safe"},
	} {
		if got := tc.cfg.ServiceGroup(spread.SafeMess); got != tc.want {
			t.Errorf("%+v: ServiceGroup(SAFE) = %q, want %q", tc.cfg, got, tc.want)
		}
	}
}

// "all" is every type in a local flood and spflooder's one type in a
// read-only or write-only flood, which takes one type only.
func TestParseServices(t *testing.T) {
	for _, c := range []struct {
		names   []string
		mode    Mode
		members int
		want    string
	}{
		{[]string{"all"}, ModeLocal, 0, "UNRELIABLE RELIABLE FIFO CAUSAL AGREED SAFE"},
		{[]string{"Agreed", "safe"}, ModeLocal, 0, "AGREED SAFE"},
		{[]string{"all"}, ModeReadOnly, 0, "RELIABLE"},
		{[]string{"all"}, ModeWriteOnly, 2, "FIFO"},
	} {
		got, err := ParseServices(c.names, c.mode, c.members)
		var names []string
		for _, s := range got {
			names = append(names, ServiceName(s))
		}
		if err != nil || strings.Join(names, " ") != c.want {
			t.Errorf("%v %v -n %d: %v (%v), want %s", c.names, c.mode, c.members, names, err, c.want)
		}
	}
	for _, bad := range []struct {
		names []string
		mode  Mode
		want  string
	}{
		{[]string{"fast"}, ModeLocal, `unknown service type "fast"`},
		{nil, ModeLocal, "name one or more of"},
		{[]string{"fifo", "safe"}, ModeWriteOnly, "exactly one service type"},
	} {
		if _, err := ParseServices(bad.names, bad.mode, 0); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%v %v: %v, want %q", bad.names, bad.mode, err, bad.want)
		}
	}
}

// The order hash is FNV-1a of each delivery's sender and sequence number
// (little endian), a function fixed across processes: receivers in
// different agents compare their hashes.
func TestOrderHashIsTheSameInEveryProcess(t *testing.T) {
	c := NewChecker()
	want := fnv.New64a()
	for _, d := range [][2]uint32{{0, 0}, {1, 0}, {0, 1}, {7, 65536}} {
		c.Observe(d[0], d[1])
		_ = binary.Write(want, binary.LittleEndian, d)
	}
	if got := c.Result(nil).OrderHash; got != want.Sum64() {
		t.Errorf("order hash %#x, want FNV-1a %#x", got, want.Sum64())
	}
}
