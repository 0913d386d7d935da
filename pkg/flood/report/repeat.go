package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/bench"
)

// RepeatTable writes one row per point and service type of a repeated
// flood: each figure as benchstat gives it, the median of the runs ± its
// 95% confidence interval in percent, and the verdicts of the runs.
func RepeatTable(w io.Writer, points []flood.Point, sweep string) {
	sums := bench.SummariseAll(bench.Measurements(points))
	units := []string{bench.UnitMsgs, bench.UnitMB, bench.UnitP50, bench.UnitP99, bench.UnitP999}
	hdr := append(sweepHeader(sweep), "SERVICE", "RUNS", "MSG/S", "MB/S", "P50", "P99", "P99.9")
	if hasRTT(points) {
		units = append(units, bench.UnitRTTP50, bench.UnitRTTP99)
		hdr = append(hdr, "RTT P50", "RTT P99")
	}
	hdr = append(hdr, "CHECK")
	t := newTable(w, hdr)
	verdicts := runVerdicts(points)
	var notes []string
	for _, s := range sums {
		row := keyCells(s.Key, sweep)
		msgs, _ := s.Get(bench.UnitMsgs)
		row = append(row, s.Key.Service, msgs.N)
		for _, u := range units {
			sum, ok := s.Get(u)
			row = append(row, SummaryCell(u, sum, ok))
			if ok && sum.Note != "" && !slices.Contains(notes, sum.Note) {
				notes = append(notes, sum.Note)
			}
		}
		t.AppendRow(append(row, strings.Join(verdicts[s.Key], ", ")))
	}
	n := len(sweepHeader(sweep))
	cols := rightAligned(n+2, n+2+len(units)) // RUNS and the figures
	if sweep != "" {
		cols = append(cols, rightAligned(1, 1)...)
	}
	t.SetColumnConfigs(cols)
	t.Render()
	for _, note := range notes {
		fmt.Fprintf(w, "note: ± is the 95%% confidence interval of the median; %s\n", note)
	}
}

// keyCells starts a row with the swept parameter's value, if any.
func keyCells(k bench.Key, sweep string) table.Row { return sweptValue(k.Size, k.Receivers, sweep) }

// runVerdicts lists each point's distinct verdicts, in the order they
// came.
func runVerdicts(points []flood.Point) map[bench.Key][]string {
	out := map[bench.Key][]string{}
	for _, p := range points {
		r := p.Results
		for _, s := range r.Services {
			k := bench.Key{Service: s.Service, Size: r.Size, Senders: r.Senders, Receivers: r.Receivers}
			if v := string(s.Judge()); !slices.Contains(out[k], v) {
				out[k] = append(out[k], v)
			}
		}
	}
	return out
}

// SummaryCell writes a summary as benchstat does, "912,345 ± 3%", with
// the value in unit's usual form; "-" when the point lacks the unit.
func SummaryCell(unit string, s bench.Summary, ok bool) string {
	if !ok {
		return "-"
	}
	return UnitValue(unit, s.Median) + " ± " + s.Range
}

// UnitValue writes one value of unit: a rate with thousands separators,
// MB/s with one decimal, a latency in µs, ms or s.
func UnitValue(unit string, v float64) string {
	switch {
	case unit == bench.UnitMsgs:
		return humanInt(v)
	case unit == bench.UnitMB:
		return fmt.Sprintf("%.1f", v)
	case strings.HasSuffix(unit, "-ns"):
		return Dur(time.Duration(v))
	}
	return sig3(v)
}
