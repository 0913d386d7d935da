package bench_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/bench"
)

// points makes one run per rate: AGREED at 1000 bytes, one sender and two
// receivers, p50 = 1µs × run, with round trips when rtt.
func points(rtt bool, rates ...float64) []flood.Point {
	var pts []flood.Point
	for i, r := range rates {
		s := flood.ServiceResult{Service: "AGREED", Delivered: 10, MsgRate: r, MBRate: r / 1000,
			Latency: flood.Latency{Count: 10, P50: time.Duration(i+1) * time.Microsecond, P99: 2 * time.Millisecond, P999: 3 * time.Millisecond}}
		if rtt {
			s.RTT = &flood.Latency{Count: 1, P50: 5 * time.Microsecond, P99: 6 * time.Microsecond, P999: 7 * time.Microsecond}
		}
		pts = append(pts, flood.Point{Size: 1000, Receivers: 2, Run: i + 1,
			Results: &flood.Results{Size: 1000, Senders: 1, Receivers: 2, Services: []flood.ServiceResult{s}}})
	}
	return pts
}

// The Go format parses with benchfmt as go test's output does: the
// configuration lines, one result per run named by its point, the units
// and values as measured (benchfmt tidies them to seconds and B/s).
func TestWriteGoParsesWithBenchfmt(t *testing.T) {
	var buf bytes.Buffer
	cfg := []bench.ConfigLine{{Key: "goos", Value: "linux"}, {Key: "daemon", Value: "embedded spgo daemon"}}
	if err := bench.WriteGo(&buf, cfg, bench.Measurements(points(true, 900e3, 910e3))); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&buf, "out")
	var results []*benchfmt.Result
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			results = append(results, rec.Clone())
		case *benchfmt.SyntaxError:
			t.Fatalf("benchfmt: %v\n%s", rec, buf.String())
		}
	}
	if len(results) != 2 {
		t.Fatalf("%d results, want 2:\n%s", len(results), buf.String())
	}
	res := results[1]
	if got := res.Name.String(); got != "Flood/service=agreed/size=1000/senders=1/receivers=2" {
		t.Errorf("name %q", got)
	}
	if res.GetConfig("daemon") != "embedded spgo daemon" || res.GetConfig("goos") != "linux" {
		t.Errorf("config %v", res.Config)
	}
	for unit, want := range map[string]float64{"msgs/s": 910e3, "B/s": 910e6, "p50-sec": 2e-6, "p99.9-sec": 3e-3, "rtt-p99-sec": 6e-6} {
		if v, ok := res.Value(unit); !ok || math.Abs(v-want) > want*1e-9 {
			t.Errorf("%s = %v (present %v), want %v", unit, v, ok, want)
		}
	}
	if better := r.Units().GetBetter("msgs/s"); better != 1 {
		t.Errorf("msgs/s better = %d, want 1 (higher)", better)
	}
	if better := r.Units().GetBetter("p99-ns"); better != -1 {
		t.Errorf("p99-ns better = %d, want -1 (lower)", better)
	}
}

// ReadGo reads back what WriteGo wrote, in the units it was written in.
func TestReadGoRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	cfg := []bench.ConfigLine{{Key: "window", Value: "200"}}
	if err := bench.WriteGo(&buf, cfg, bench.Measurements(points(false, 1, 2, 3))); err != nil {
		t.Fatal(err)
	}
	set, err := bench.ReadGo(&buf, "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Series) != 1 || len(set.Config) != 1 || set.Config[0] != cfg[0] {
		t.Fatalf("set %+v", set)
	}
	s := set.Series[0]
	want := bench.Key{Service: "AGREED", Size: 1000, Senders: 1, Receivers: 2}
	if s.Key != want || len(s.Values["msgs/s"]) != 3 || s.Values["msgs/s"][2] != 3 || s.Values["p50-ns"][1] != 2000 {
		t.Errorf("series %+v", s)
	}
	if strings.Join(s.Units, " ") != "msgs/s MB/s p50-ns p99-ns p99.9-ns" {
		t.Errorf("units %v", s.Units)
	}
}

// ReadGo refuses input without flood results, and other benchmarks.
func TestReadGoRefuses(t *testing.T) {
	if _, err := bench.ReadGo(strings.NewReader("goos: linux\n"), "empty"); !errors.Is(err, bench.ErrNoResults) {
		t.Errorf("empty: %v", err)
	}
	_, err := bench.ReadGo(strings.NewReader("BenchmarkFoo 10 5 ns/op\n"), "foo")
	if err == nil || !strings.Contains(err.Error(), "not a flood") {
		t.Errorf("BenchmarkFoo: %v", err)
	}
}

// The summary is the median and benchstat's interval; with too few runs
// the interval is unbounded and says why.
func TestSummarise(t *testing.T) {
	s := bench.Summarise([]float64{10, 14, 11, 12, 13, 12})
	if s.N != 6 || s.Median != 12 || s.Lo > 12 || s.Hi < 12 || s.Lo < 10 || s.Hi > 14 || s.Note != "" || s.Range == "∞" {
		t.Errorf("6 runs: %+v", s)
	}
	s = bench.Summarise([]float64{10, 20})
	if s.Range != "∞" || !strings.Contains(s.Note, "samples") {
		t.Errorf("2 runs: %+v", s)
	}
}

// Runs of one distribution compare as not significant; a halved rate is
// significant, a regression for the gate, and so is a longer latency.
func TestCompareAndGate(t *testing.T) {
	set := func(rates ...float64) bench.Set {
		return bench.Set{Series: bench.Group(bench.Measurements(points(false, rates...)))}
	}
	same := bench.Compare(set(100, 102, 98, 101, 99), set(101, 99, 100, 98, 102))
	msgs := same.Changes[0]
	if msgs.Unit != "msgs/s" || msgs.Significant || msgs.P < 0.05 || same.Gate(5) != nil {
		t.Errorf("same distribution: %+v, gate %v", msgs, same.Gate(5))
	}
	halved := bench.Compare(set(100, 102, 98, 101, 99), set(50, 51, 49, 52, 48))
	msgs = halved.Changes[0]
	if !msgs.Significant || math.Abs(msgs.Delta+50) > 0.01 || msgs.P > 0.01 || !msgs.Worse() {
		t.Errorf("halved: %+v", msgs)
	}
	var re *bench.RegressionError
	if err := halved.Gate(10); !errors.As(err, &re) || re.Changes[0].Unit != "msgs/s" {
		t.Errorf("gate 10%%: %v", err)
	}
	if err := halved.Gate(60); err != nil {
		t.Errorf("gate 60%%: %v, want nil (the drop is 50%%)", err)
	}
	if err := bench.Compare(set(50, 51, 49, 52, 48), set(100, 102, 98, 101, 99)).Gate(10); err != nil {
		t.Errorf("a doubled rate is no regression, yet the gate failed: %v", err)
	}
	// p50 is 1..5µs in run order both times; the newer runs take 1ms more.
	old, slow := set(1, 1, 1, 1, 1), set(1, 1, 1, 1, 1)
	for i := range slow.Series[0].Values["p50-ns"] {
		slow.Series[0].Values["p50-ns"][i] += 1e6
	}
	if err := bench.Compare(old, slow).Gate(10); !errors.As(err, &re) || re.Changes[0].Unit != "p50-ns" {
		t.Errorf("slower p50: %v", err)
	}
}

// Too few runs cannot be significant, and the comparison says so; points
// and configuration lines on one side only are listed.
func TestCompareNotes(t *testing.T) {
	old := bench.Set{Config: []bench.ConfigLine{{Key: "window", Value: "200"}}, Series: bench.Group(bench.Measurements(points(false, 100, 101)))}
	newPts := points(false, 50, 51)
	newPts[0].Results.Services[0].Service = "SAFE"
	c := bench.Compare(old, bench.Set{Config: []bench.ConfigLine{{Key: "window", Value: "10"}}, Series: bench.Group(bench.Measurements(newPts))})
	if len(c.Changes) == 0 || c.Changes[0].Significant || !strings.Contains(c.Changes[0].Note, "samples") {
		t.Errorf("2 runs: %+v", c.Changes)
	}
	if len(c.OnlyNew) != 1 || c.OnlyNew[0].Service != "SAFE" || len(c.ConfigDiffs) != 1 || c.ConfigDiffs[0].New != "10" {
		t.Errorf("only new %v, config diffs %v", c.OnlyNew, c.ConfigDiffs)
	}
}
