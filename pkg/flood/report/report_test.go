package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/flood"
)

func TestDur(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "-", 850 * time.Nanosecond: "0.85µs", 75500 * time.Nanosecond: "75.5µs", 999 * time.Microsecond: "999µs",
		999600 * time.Nanosecond: "1ms", 3090 * time.Microsecond: "3.09ms", 1234567 * time.Microsecond: "1.23s", 12 * time.Second: "12s",
	} {
		if got := Dur(d); got != want {
			t.Errorf("Dur(%v) = %q, want %q", d, got, want)
		}
	}
	if got := humanInt(1234567.6); got != "1,234,568" {
		t.Errorf("humanInt: %q", got)
	}
}

func points() []flood.Point {
	r := &flood.Results{Size: 1000, Senders: 1, Receivers: 2, Window: 200, Services: []flood.ServiceResult{
		{Service: "AGREED", Sent: 10, Delivered: 20, Elapsed: time.Second, MsgRate: 10, MBRate: 0.01,
			Latency: flood.Latency{P50: time.Millisecond}, RTT: &flood.Latency{Count: 7, P50: time.Millisecond, P99: 2 * time.Millisecond}},
		{Service: "FIFO", Sent: 10, Delivered: 19, Lost: 1, Violations: []string{"FIFO lost 1 messages"},
			Warnings: []string{"FIFO lost 1 messages"}},
	}}
	return []flood.Point{{Size: 1000, Receivers: 2, Results: r}}
}

func TestTableCSVJSON(t *testing.T) {
	var tb bytes.Buffer
	Table(&tb, points(), flood.SweepSize)
	out := tb.String()
	if !strings.Contains(out, "SIZE") || !strings.Contains(out, "AGREED") || !strings.Contains(out, "BROKEN") {
		t.Errorf("table:\n%s", out)
	}
	var w bytes.Buffer
	if n := Warnings(&w, points()); n != 1 || !strings.Contains(w.String(), "warning: FIFO") {
		t.Errorf("warnings %d %q", n, w.String())
	}
	var c bytes.Buffer
	if err := CSV(&c, points()); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	col := func(name string) int { return slices.Index(CSVHeader, name) }
	if err != nil || len(recs) != 3 || len(recs[1]) != len(CSVHeader) || recs[2][col("warnings")] != "FIFO lost 1 messages" ||
		recs[2][col("verdict")] != "BROKEN" || recs[1][col("rtt_count")] != "7" || recs[1][col("rtt_p99_us")] != "2000.000" ||
		recs[2][col("rtt_count")] != "0" || recs[2][col("rtt_p50_us")] != "" {
		t.Errorf("csv %q %v", recs, err)
	}
	var j bytes.Buffer
	if err := JSON(&j, Document{Env: HostEnv("x", "external", "tcp"), Points: points()}); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(j.Bytes(), &back); err != nil || back["env"].(map[string]any)["cpus"].(float64) < 1 {
		t.Errorf("json %v %s", err, j.String())
	}
}

// A size sweep's banner lists the swept sizes instead of the single-run
// size.
func TestBannerDescribesSweep(t *testing.T) {
	var b bytes.Buffer
	Banner(&b, Params{Services: []string{"FIFO"}, Count: 10, Size: 1000, Senders: 1, Receivers: 1, Window: 200,
		Group: "g", SweepDim: flood.SweepSize, SweepValues: []int{100, 1000, 10000}}, HostEnv("x", "external", "tcp"))
	out := b.String()
	if !strings.Contains(out, "10 messages of each of 100, 1000, 10000 bytes per sender, 1 sender(s) -> 1 receiver(s)") ||
		strings.Contains(out, "of 1000 bytes") || !strings.Contains(out, "sweep size=100,1000,10000 (one run per value)") {
		t.Errorf("banner:\n%s", out)
	}
}

// Round trips get a table of their own, with a row per service type (none
// measured: dashes), and only when some were measured.
func TestRTTTable(t *testing.T) {
	var b bytes.Buffer
	RTTTable(&b, points(), "")
	out := b.String()
	if !strings.Contains(out, "ROUND TRIPS") || !strings.Contains(out, "RTT P50") {
		t.Fatalf("rtt table:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "AGREED") && (!strings.Contains(line, " 7 ") || !strings.Contains(line, "1ms") || !strings.Contains(line, "2ms")) {
			t.Errorf("AGREED row %q", line)
		}
		if strings.Contains(line, "FIFO") && !strings.Contains(line, " - ") {
			t.Errorf("FIFO row without round trips %q", line)
		}
	}
	pts := points()
	pts[0].Results.Services[0].RTT = nil
	b.Reset()
	RTTTable(&b, pts, "")
	if b.Len() != 0 {
		t.Errorf("rtt table without round trips:\n%s", b.String())
	}
	var banner bytes.Buffer
	Banner(&banner, Params{Services: []string{"FIFO"}, Count: 10, Size: 100, Senders: 1, Receivers: 1, Window: 200, Group: "g", RTTEvery: 100}, HostEnv("x", "external", "tcp"))
	if !strings.Contains(banner.String(), "round trips: every 100th message echoed by each receiver") {
		t.Errorf("banner:\n%s", banner.String())
	}
}

// A partition with senders on both sides: each side gets its line with
// its verdict (the broken one its violation) and its memberships, told
// once there rather than in the run's list, where a departure stays.
func TestFaultsBySide(t *testing.T) {
	ms := time.Millisecond
	network := func(at time.Duration, member string) flood.FaultEvent {
		return flood.FaultEvent{Kind: flood.FaultNetwork, After: at, Members: []string{member}, SeenBy: 1}
	}
	s := flood.ServiceResult{Service: "FIFO", LongestGap: 3 * ms,
		Violations: []string{"side 2: FIFO lost 1 messages (it promises delivery)"},
		Faults: []flood.FaultEvent{network(200*ms, "#a#d2"), network(201*ms, "#b#d3"),
			{Kind: flood.FaultDeparted, After: 300 * ms, Members: []string{"#c#d4"}, Role: flood.RoleReceiver, Error: "gone"}},
		Sides: []flood.Side{
			{Daemons: []string{"d1", "d2"}, Senders: []string{"#s#d1"}, Receivers: []string{"#a#d2"}, Delivered: 1500,
				Memberships: []flood.FaultEvent{network(200*ms, "#a#d2")}, Verdict: flood.VerdictFaultKept},
			{Daemons: []string{"d3"}, Senders: []string{"#t#d3"}, Receivers: []string{"#b#d3"}, Delivered: 1499,
				Memberships: []flood.FaultEvent{network(201*ms, "#b#d3")}, Verdict: flood.VerdictBroken,
				Violations: []string{"FIFO lost 1 messages (it promises delivery)"}},
		}}
	var b bytes.Buffer
	Faults(&b, []flood.Point{{Size: 100, Receivers: 3, Results: &flood.Results{Services: []flood.ServiceResult{s}}}})
	want := `
FIFO through a fault (size 100, 3 receivers):
    +300ms  receiver #c#d4 departed: gone
  side 1 of 2 (d1, d2): 1 sender, 1 receiver, 1,500 delivered: ok (fault)
    +200ms  network membership of 1: #a#d2, seen by 1 receiver
  side 2 of 2 (d3): 1 sender, 1 receiver, 1,499 delivered: BROKEN: FIFO lost 1 messages (it promises delivery)
    +201ms  network membership of 1: #b#d3, seen by 1 receiver
  longest gap between deliveries at a survivor: 3ms
  on each side: BROKEN (see the warnings)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
