package report_test

import (
	"fmt"
	"os"
	"time"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/report"
)

// The table and the warnings of a run, from results made by hand here
// (flood.Run gives them).
func ExampleTable() {
	res := &flood.Results{Size: 1000, Senders: 1, Receivers: 1, Services: []flood.ServiceResult{
		{Service: "AGREED", MsgRate: 52000, MBRate: 52, Verdict: flood.VerdictOK,
			Latency: flood.Latency{P50: 280 * time.Microsecond, P90: 400 * time.Microsecond, P99: time.Millisecond,
				P999: 2 * time.Millisecond, Max: 3 * time.Millisecond}},
		{Service: "FIFO", MsgRate: 9000, MBRate: 9, Verdict: flood.VerdictDisturbed,
			Warnings: []string{"stalled: nothing sent or delivered for 10s"}},
	}}
	points := []flood.Point{{Size: 1000, Receivers: 1, Results: res}}
	report.Table(os.Stdout, points, "")
	n := report.Warnings(os.Stdout, points)
	fmt.Println(n, "warning in all")
	// Output:
	// ┌─────────┬────────┬──────┬───────┬───────┬─────┬───────┬─────┬──────┬─────┬───────────┬───────────┐
	// │ SERVICE │  MSG/S │ MB/S │   P50 │   P90 │ P99 │ P99.9 │ MAX │ LOST │ DUP │ REORDERED │ CHECK     │
	// ├─────────┼────────┼──────┼───────┼───────┼─────┼───────┼─────┼──────┼─────┼───────────┼───────────┤
	// │ AGREED  │ 52,000 │ 52.0 │ 280µs │ 400µs │ 1ms │   2ms │ 3ms │    0 │   0 │         0 │ ok        │
	// │ FIFO    │  9,000 │  9.0 │     - │     - │   - │     - │   - │    0 │   0 │         0 │ disturbed │
	// └─────────┴────────┴──────┴───────┴───────┴─────┴───────┴─────┴──────┴─────┴───────────┴───────────┘
	// warning: FIFO (size 1000, 1 receiver): stalled: nothing sent or delivered for 10s
	// 1 warning in all
}

// Dur writes latencies with three significant digits.
func ExampleDur() {
	for _, d := range []time.Duration{0, 850 * time.Nanosecond, 3090 * time.Microsecond, 1234567 * time.Microsecond} {
		fmt.Println(report.Dur(d))
	}
	// Output:
	// -
	// 0.85µs
	// 3.09ms
	// 1.23s
}
