package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/bench"
)

// repeated is n runs of one AGREED point at rate, rate+1, ...
func repeated(n int, rate float64) []flood.Point {
	var pts []flood.Point
	for i := range n {
		r := &flood.Results{Size: 1000, Senders: 1, Receivers: 1, Window: 200, Count: 500, Services: []flood.ServiceResult{
			{Service: "AGREED", Delivered: 500, MsgRate: rate + float64(i), MBRate: (rate + float64(i)) / 1000, Verdict: flood.VerdictOK,
				Latency: flood.Latency{Count: 500, P50: 50 * time.Microsecond, P99: 90 * time.Microsecond, P999: 99 * time.Microsecond}},
		}}
		pts = append(pts, flood.Point{Size: 1000, Receivers: 1, Run: i + 1, Results: r})
	}
	return pts
}

// Both of flood's files, -o gobench and -o json, read back as the same
// runs and configuration.
func TestReadSetGoBenchAndJSON(t *testing.T) {
	env := Env{OS: "linux", Arch: "amd64", CPU: "Test CPU", GOMAXPROCS: 2, SpgoVersion: "v9", DaemonKind: "embedded spgo daemon", Transport: "tcp"}
	pts := repeated(5, 1000)
	var gob, js bytes.Buffer
	if err := GoBench(&gob, env, pts); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&js, Document{Env: env, Repeat: 5, Points: pts}); err != nil {
		t.Fatal(err)
	}
	gobench := gob.String()
	for _, c := range []struct {
		name string
		in   *bytes.Buffer
	}{{"gobench", &gob}, {"json", &js}} {
		set, err := ReadSet(c.in, c.name)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cmp := bench.Compare(set, bench.Set{Config: GoConfig(env, pts), Series: bench.Group(bench.Measurements(pts))})
		if len(cmp.Changes) != 5 || cmp.Changes[0].Old.Median != 1002 || cmp.Changes[0].Significant || len(cmp.ConfigDiffs) != 0 {
			t.Errorf("%s: read back %+v", c.name, cmp)
		}
	}
	for _, line := range []string{"cpu: Test CPU", "daemon: embedded spgo daemon", "spgo-version: v9", "window: 200", "count: 500",
		"BenchmarkFlood/service=agreed/size=1000/senders=1/receivers=1 1 1000 msgs/s 1 MB/s 50000 p50-ns 90000 p99-ns 99000 p99.9-ns"} {
		if !strings.Contains(gobench, line+"\n") {
			t.Errorf("gobench lacks %q:\n%s", line, gobench)
		}
	}
	if _, err := ReadSet(strings.NewReader(`{"points":[]}`), "empty.json"); err == nil {
		t.Error("a JSON document without runs read as a set")
	}
}

// The repeat table gives each figure as median ± interval, the runs and
// the verdicts.
func TestRepeatTable(t *testing.T) {
	var b bytes.Buffer
	RepeatTable(&b, repeated(6, 1000), "")
	out := b.String()
	for _, want := range []string{"RUNS", "│    6 │", "1,003 ± 0%", "50µs ± 0%", "│ ok "} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	RepeatTable(&b, repeated(2, 1000), "")
	if !strings.Contains(b.String(), "± ∞") || !strings.Contains(b.String(), "note: ± is the 95% confidence interval") {
		t.Errorf("2 runs: no ∞ and note:\n%s", b.String())
	}
}

// A comparison shows "~" for noise and the change with its p-value for a
// real drop, as text and as Markdown.
func TestCompareRender(t *testing.T) {
	set := func(rate float64) bench.Set {
		return bench.Set{Series: bench.Group(bench.Measurements(repeated(5, rate)))}
	}
	var b bytes.Buffer
	CompareText(&b, bench.Compare(set(1000), set(1000)))
	if !strings.Contains(b.String(), "service=agreed/size=1000/senders=1/receivers=1") || !strings.Contains(b.String(), " ~ ") {
		t.Errorf("same runs:\n%s", b.String())
	}
	b.Reset()
	CompareMarkdown(&b, bench.Compare(set(1000), set(500)))
	if !strings.Contains(b.String(), "| -49.90% | p=0.008 n=5 |") {
		t.Errorf("halved, markdown:\n%s", b.String())
	}
}

// A run whose receivers batched their reads says so in its configuration,
// so compare tells it from one that did not.
func TestReadBatchIsAConfigurationLine(t *testing.T) {
	env := Env{OS: "linux", Arch: "amd64", CPU: "Test CPU", GOMAXPROCS: 2, SpgoVersion: "v9", DaemonKind: "external", Daemon: "4803", Transport: "tcp"}
	plain, batched := repeated(3, 1000), repeated(3, 1000)
	for _, p := range batched {
		p.Results.ReadBatch = 32768
	}
	var found bool
	for _, l := range GoConfig(env, batched) {
		found = found || (l.Key == "read-batch" && l.Value == "32768")
	}
	if !found {
		t.Fatalf("no read-batch line in %+v", GoConfig(env, batched))
	}
	set := func(pts []flood.Point) bench.Set {
		return bench.Set{Config: GoConfig(env, pts), Series: bench.Group(bench.Measurements(pts))}
	}
	if cmp := bench.Compare(set(plain), set(batched)); len(cmp.ConfigDiffs) == 0 {
		t.Errorf("a batched run compared with an unbatched one: no configuration difference in %+v", cmp)
	}
}
