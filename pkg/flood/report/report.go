// Package report renders flood results: a banner, a table (one row per
// service type and sweep point), CSV and JSON. It only formats; the
// numbers come from pkg/flood.
package report

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/spgo/spgo/internal/buildinfo"
	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/bench"
)

// Env describes where a flood ran.
type Env struct {
	Daemon     string `json:"daemon"`      // the daemon's name as dialled
	DaemonKind string `json:"daemon_kind"` // "embedded spgo daemon" or "external"
	Transport  string `json:"transport"`   // "tcp" or "unix"
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	// CPU is the processor's model name (CPUName) and SpgoVersion the
	// flooding spgo's version: Go's benchmark format carries both.
	CPU         string `json:"cpu,omitempty"`
	SpgoVersion string `json:"spgo_version,omitempty"`
	// Placement says which daemons the senders and receivers were spread
	// over; "" when all were on Daemon.
	Placement string `json:"placement,omitempty"`
	// Agents are the agents of a flood across hosts (spgo flood --agents).
	Agents []flood.AgentResult `json:"agents,omitempty"`
}

// AgentTable writes one row per service type and agent.
func AgentTable(w io.Writer, agents []flood.AgentResult) {
	if len(agents) == 0 {
		return
	}
	fmt.Fprintln(w)
	t := newTable(w, table.Row{"SERVICE", "AGENT", "HOST", "DAEMON", "ROLE", "SENT", "DELIVERED", "MSG/S", "P50", "P99", "LOST", "CHECK"})
	var rows [][]any
	for _, a := range agents {
		for i, s := range a.Services {
			sent := any(s.Sent)
			if a.Senders == 0 {
				sent = "-"
			}
			rows = append(rows, []any{i, s.Service, a.Name, a.Host, a.Daemon, a.Role, sent, s.Delivered, humanInt(s.MsgRate),
				Dur(s.Latency.P50), Dur(s.Latency.P99), s.Lost, s.Verdict})
		}
	}
	slices.SortStableFunc(rows, func(x, y []any) int { return x[0].(int) - y[0].(int) })
	for _, r := range rows {
		t.AppendRow(r[1:])
	}
	t.SetColumnConfigs(rightAligned(6, 11)) // SENT..LOST
	t.Render()
}

// HostEnv fills the Go and machine fields of an Env.
func HostEnv(daemon, kind, transport string) Env {
	return Env{Daemon: daemon, DaemonKind: kind, Transport: transport, GoVersion: runtime.Version(),
		OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		CPU: CPUName(), SpgoVersion: buildinfo.Read().Short()}
}

// Params are the run's parameters as the banner shows them.
type Params struct {
	Services  []string
	Count     int
	Duration  time.Duration
	Size      int
	Senders   int
	Receivers int
	Window    int
	Rate      float64
	// Groups are the groups flooded, one per service type in Services
	// order (Group-<service> when several types run, see
	// flood.Config.ServiceGroup); Group is the one shown when Groups is
	// empty.
	Groups []string
	Group  string
	// SweepDim ("size", "receivers" or "") and SweepValues describe a
	// sweep: the swept parameter takes each value in turn, in place of
	// Size or Receivers.
	SweepDim    string
	SweepValues []int
	// RTTEvery, when above 0, says round trips are measured.
	RTTEvery int
	// Repeat, above 1, is how many times each point runs (flood.Repeat).
	Repeat int
}

// ParamsOf is the banner's view of cfg: its settings as the engine fills
// them in, so that the sessions are counted as it places them (one on
// each daemon listed at least) and a read-only run shows the senders it
// expects elsewhere; a sweep over sweepDim takes sweepValues in turn.
func ParamsOf(cfg flood.Config, sweepDim string, sweepValues []int) Params {
	if filled, err := cfg.SettingsWithDefaults(); err == nil {
		cfg = filled
	}
	names, groups := make([]string, len(cfg.Services)), make([]string, len(cfg.Services))
	for i, s := range cfg.Services {
		names[i], groups[i] = flood.ServiceName(s), cfg.ServiceGroup(s)
	}
	senders := cfg.Senders
	if cfg.Mode == flood.ModeReadOnly {
		senders = cfg.RemoteSenders
	}
	return Params{Services: names, Count: cfg.Count, Duration: cfg.Duration, Size: cfg.Size, Senders: senders,
		Receivers: cfg.Receivers, Window: cfg.Window, Rate: cfg.Rate, Group: cfg.Group, Groups: groups,
		RTTEvery: cfg.RTTEvery, SweepDim: sweepDim, SweepValues: sweepValues}
}

// Banner writes the run's parameters and environment.
func Banner(w io.Writer, p Params, e Env) {
	what := fmt.Sprintf("%d messages", p.Count)
	if p.Duration > 0 {
		what = "messages for " + p.Duration.String()
	}
	win := "window " + strconv.Itoa(p.Window)
	if p.Window <= 0 {
		win = "no window"
	}
	rate := "as fast as possible"
	if p.Rate > 0 {
		rate = fmt.Sprintf("at %g msg/s", p.Rate)
	}
	size, receivers := strconv.Itoa(p.Size)+" bytes", strconv.Itoa(p.Receivers)+" receiver(s)"
	switch p.SweepDim {
	case flood.SweepSize:
		size = "each of " + joinInts(p.SweepValues, ", ") + " bytes"
	case flood.SweepReceivers:
		receivers = "each of " + joinInts(p.SweepValues, ", ") + " receivers"
	}
	fmt.Fprintf(w, "spgo flood: %s of %s per sender, %d sender(s) -> %s, %s, %s\n",
		what, size, p.Senders, receivers, win, rate)
	fmt.Fprintf(w, "  services: %s; %s", strings.Join(p.Services, " "), groupsPhrase(p))
	if p.SweepDim != "" {
		fmt.Fprintf(w, "; sweep %s=%s (one run per value)", p.SweepDim, joinInts(p.SweepValues, ","))
	}
	if p.Repeat > 1 {
		fmt.Fprintf(w, "; %d runs of each point, round robin", p.Repeat)
	}
	switch {
	case p.RTTEvery == 1:
		fmt.Fprint(w, "; round trips: every message echoed by each receiver")
	case p.RTTEvery > 1:
		fmt.Fprintf(w, "; round trips: every %s message echoed by each receiver", ordinal(p.RTTEvery))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  daemon:   %s (%s, %s)\n", e.Daemon, e.DaemonKind, e.Transport)
	if e.Placement != "" {
		fmt.Fprintf(w, "  sessions: %s\n", e.Placement)
	}
	fmt.Fprintf(w, "  host:     %s %s/%s, %d CPUs (GOMAXPROCS %d)\n", e.GoVersion, e.OS, e.Arch, e.CPUs, e.GOMAXPROCS)
}

// groupsPhrase names the groups flooded: `group "g"`, or `groups "g-fifo",
// "g-agreed"` when each service type floods its own.
func groupsPhrase(p Params) string {
	if len(p.Groups) <= 1 {
		return fmt.Sprintf("group %q", cmp.Or(strings.Join(p.Groups, ""), p.Group))
	}
	quoted := make([]string, len(p.Groups))
	for i, g := range p.Groups {
		quoted[i] = strconv.Quote(g)
	}
	return "groups " + strings.Join(quoted, ", ")
}

// ordinal is "2nd", "3rd", "100th", "101st"...
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

func joinInts(v []int, sep string) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, sep)
}

// Dur formats a latency for the table: µs, ms or s, 3 significant digits.
func Dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "-"
	case d < 999500*time.Nanosecond:
		return sig3(float64(d)/1e3) + "µs"
	case d < 999500*time.Microsecond:
		return sig3(float64(d)/1e6) + "ms"
	default:
		return sig3(float64(d)/1e9) + "s"
	}
}

// sig3 formats v with three significant digits (no exponent).
func sig3(v float64) string {
	s := strconv.FormatFloat(v, 'g', 3, 64)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1000 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	if strings.ContainsAny(s, "e") {
		f, _ := strconv.ParseFloat(s, 64)
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return s
}

// Table writes one row per service type and sweep point. sweep names the
// swept column ("size", "receivers") or is "".
func Table(w io.Writer, points []flood.Point, sweep string) {
	hdr := append(sweepHeader(sweep), "SERVICE", "MSG/S", "MB/S", "P50", "P90", "P99", "P99.9", "MAX", "LOST", "DUP", "REORDERED", "CHECK")
	t := newTable(w, hdr)
	for _, p := range points {
		for _, s := range p.Results.Services {
			t.AppendRow(append(sweepCells(p, sweep), s.Service, humanInt(s.MsgRate), fmt.Sprintf("%.1f", s.MBRate),
				Dur(s.Latency.P50), Dur(s.Latency.P90), Dur(s.Latency.P99), Dur(s.Latency.P999), Dur(s.Latency.Max),
				s.Lost, s.Duplicated, s.OutOfOrder, s.Judge()))
		}
		if sweep != "" {
			t.AppendSeparator()
		}
	}
	n := len(sweepHeader(sweep))
	cols := rightAligned(n+2, len(hdr)-1) // MSG/S..REORDERED
	if sweep != "" {
		cols = append(cols, table.ColumnConfig{Number: 1, Align: text.AlignRight})
	}
	t.SetColumnConfigs(cols)
	t.Render()
	if anyService(points, func(s *flood.ServiceResult) bool { return s.Partial && s.Stopped == "" }) {
		fmt.Fprintln(w, "interrupted: the figures are partial (up to the interrupt); messages still on their way are not counted as lost")
	}
	for _, why := range stopReasons(points) {
		fmt.Fprintf(w, "stopped: %s; the figures are partial (up to then); messages still on their way are not counted as lost\n", why)
	}
}

// stopReasons are the distinct reasons runs were stopped early, in order.
func stopReasons(points []flood.Point) []string {
	var why []string
	for _, p := range points {
		for _, s := range p.Results.Services {
			if s.Stopped != "" && !slices.Contains(why, s.Stopped) {
				why = append(why, s.Stopped)
			}
		}
	}
	return why
}

// DaemonTable writes the receivers' figures per daemon, one row per
// service type (and sweep point) and receiver daemon, when the receivers
// were on more than one daemon.
func DaemonTable(w io.Writer, points []flood.Point, sweep string) {
	if !anyService(points, func(s *flood.ServiceResult) bool { return len(s.ByDaemon) > 1 }) {
		return
	}
	rtt := hasRTT(points)
	fmt.Fprintln(w)
	hdr := append(sweepHeader(sweep), "SERVICE", "DAEMON", "RECEIVERS", "MSG/S", "MB/S", "P50", "P99", "MAX")
	if rtt {
		hdr = append(hdr, "RTT P50", "RTT P99")
	}
	hdr = append(hdr, "LOST", "DUP", "REORDERED")
	t := newTable(w, hdr)
	for _, p := range points {
		for _, s := range p.Results.Services {
			for _, d := range s.ByDaemon {
				row := append(sweepCells(p, sweep), s.Service, d.Daemon, d.Receivers, humanInt(d.MsgRate), fmt.Sprintf("%.1f", d.MBRate),
					Dur(d.Latency.P50), Dur(d.Latency.P99), Dur(d.Latency.Max))
				if rtt {
					if d.RTT != nil {
						row = append(row, Dur(d.RTT.P50), Dur(d.RTT.P99))
					} else {
						row = append(row, "-", "-")
					}
				}
				t.AppendRow(append(row, d.Lost, d.Duplicated, d.OutOfOrder))
			}
		}
		if sweep != "" {
			t.AppendSeparator()
		}
	}
	t.SetColumnConfigs(rightAligned(len(sweepHeader(sweep))+3, len(hdr))) // RECEIVERS..REORDERED
	t.Render()
}

// RTTTable writes the round-trip percentiles, one row per service type and
// sweep point, when any were measured.
func RTTTable(w io.Writer, points []flood.Point, sweep string) {
	if !hasRTT(points) {
		return
	}
	fmt.Fprintln(w)
	hdr := append(sweepHeader(sweep), "SERVICE", "ROUND TRIPS", "RTT P50", "P90", "P99", "P99.9", "MAX")
	t := newTable(w, hdr)
	for _, p := range points {
		for _, s := range p.Results.Services {
			row := append(sweepCells(p, sweep), s.Service)
			if r := s.RTT; r != nil {
				t.AppendRow(append(row, r.Count, Dur(r.P50), Dur(r.P90), Dur(r.P99), Dur(r.P999), Dur(r.Max)))
			} else {
				t.AppendRow(append(row, 0, "-", "-", "-", "-", "-"))
			}
		}
	}
	t.SetColumnConfigs(rightAligned(len(sweepHeader(sweep))+2, len(hdr))) // ROUND TRIPS..MAX
	t.Render()
}

// newTable is a table in the reports' style, written to w on Render.
func newTable(w io.Writer, hdr table.Row) table.Writer {
	t := table.NewWriter()
	t.SetOutputMirror(w)
	t.SetStyle(table.StyleLight)
	t.AppendHeader(hdr)
	return t
}

// sweepHeader starts a header with the swept column, if there is one.
func sweepHeader(sweep string) table.Row {
	if sweep == "" {
		return table.Row{}
	}
	return table.Row{strings.ToUpper(sweep)}
}

// sweepCells starts p's rows with the swept parameter's value, if there
// is one.
func sweepCells(p flood.Point, sweep string) table.Row { return sweptValue(p.Size, p.Receivers, sweep) }

// sweptValue is the cell of the swept parameter: the size or the
// receivers, nothing when no sweep ran.
func sweptValue(size, receivers int, sweep string) table.Row {
	switch sweep {
	case "":
		return table.Row{}
	case flood.SweepSize:
		return table.Row{size}
	}
	return table.Row{receivers}
}

// rightAligned right-aligns columns from..to (1-based), header and cells:
// the numbers.
func rightAligned(from, to int) []table.ColumnConfig {
	var cols []table.ColumnConfig
	for i := from; i <= to; i++ {
		cols = append(cols, table.ColumnConfig{Number: i, Align: text.AlignRight, AlignHeader: text.AlignRight})
	}
	return cols
}

// anyService reports whether pred holds for any service type's run of any
// point.
func anyService(points []flood.Point, pred func(*flood.ServiceResult) bool) bool {
	for _, p := range points {
		for i := range p.Results.Services {
			if pred(&p.Results.Services[i]) {
				return true
			}
		}
	}
	return false
}

func hasRTT(points []flood.Point) bool {
	return anyService(points, func(s *flood.ServiceResult) bool { return s.RTT != nil })
}

// Faulted reports whether any run saw a fault.
func Faulted(points []flood.Point) bool {
	return anyService(points, func(s *flood.ServiceResult) bool { return len(s.Faults) > 0 })
}

// Faults writes, for each service type that saw a fault, what happened
// when (from the start signal), how long deliveries stalled at most, and
// how the promises were judged; after a partition with senders on several
// sides, each side with the memberships its receivers saw and its verdict.
func Faults(w io.Writer, points []flood.Point) {
	for _, p := range points {
		for _, s := range p.Results.Services {
			if len(s.Faults) == 0 {
				continue
			}
			fmt.Fprintf(w, "\n%s through a fault (size %d, %s):\n", s.Service, p.Size, english.Count(p.Receivers, "receiver"))
			sided := len(s.Sides) > 0
			for _, e := range s.Faults {
				if !sided || (e.Kind != flood.FaultTransitional && e.Kind != flood.FaultNetwork) { // a side tells its own
					faultLine(w, "  ", e)
				}
			}
			for k, side := range s.Sides {
				sideLines(w, k, len(s.Sides), side)
			}
			fmt.Fprintf(w, "  longest gap between deliveries at a survivor: %s\n", Dur(s.LongestGap))
			among := "among the survivors"
			if sided {
				among = "on each side"
			}
			if s.Judge() == flood.VerdictFaultKept {
				fmt.Fprintf(w, "  %s: %s\n", among, keptPromise(s.Service, sided))
			} else {
				fmt.Fprintf(w, "  %s: %s (see the warnings)\n", among, s.Judge())
			}
		}
	}
}

// faultLine writes one fault event, its time from the start signal first.
func faultLine(w io.Writer, indent string, e flood.FaultEvent) {
	at := "+" + e.After.Round(time.Millisecond).String()
	switch e.Kind {
	case flood.FaultTransitional:
		fmt.Fprintf(w, "%s%8s  transitional membership, seen by %s\n", indent, at, english.Count(e.SeenBy, "receiver"))
	case flood.FaultNetwork:
		fmt.Fprintf(w, "%s%8s  network membership of %d: %s, seen by %s\n", indent, at, len(e.Members),
			text.Trim(strings.Join(e.Members, " "), 200), english.Count(e.SeenBy, "receiver"))
	case flood.FaultApart:
		fmt.Fprintf(w, "%s%8s  %s %s apart: %s\n", indent, at, e.Role, strings.Join(e.Members, " "), e.Error)
	default:
		fmt.Fprintf(w, "%s%8s  %s %s departed: %s\n", indent, at, e.Role, strings.Join(e.Members, " "), e.Error)
	}
}

// sideLines writes side k (from 0) of n: its daemons, sessions, deliveries
// and verdict, then the memberships its receivers saw.
func sideLines(w io.Writer, k, n int, side flood.Side) {
	verdict := string(side.Verdict)
	if len(side.Violations) > 0 {
		verdict += ": " + strings.Join(side.Violations, "; ")
	}
	fmt.Fprintf(w, "  side %d of %d (%s): %s, %s, %s delivered: %s\n", k+1, n, strings.Join(side.Daemons, ", "),
		english.Count(len(side.Senders), "sender"), english.Count(len(side.Receivers), "receiver"), humanInt(float64(side.Delivered)), verdict)
	for _, e := range side.Memberships {
		faultLine(w, "  ", e)
	}
}

// keptPromise says what a service type's survivors, or each side's
// receivers, were checked for.
func keptPromise(service string, sided bool) string {
	lost := "nothing lost that a survivor got"
	if sided {
		lost = "nothing lost that its receivers should have got"
	}
	switch service {
	case "UNRELIABLE":
		return "no duplicates (UNRELIABLE may lose and reorder)"
	case "RELIABLE":
		return lost + ", no duplicates"
	case "FIFO", "CAUSAL":
		return lost + ", each sender's order kept"
	}
	return lost + ", each sender's order kept, one total order"
}

// humanInt prints a rate with thousands separators.
func humanInt(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Warnings writes every warning of every point, one per line; it returns
// how many there were.
func Warnings(w io.Writer, points []flood.Point) int {
	n := 0
	for _, p := range points {
		for _, s := range p.Results.Services {
			for _, msg := range s.Warnings {
				fmt.Fprintf(w, "warning: %s (size %d, %s): %s\n", s.Service, p.Size, english.Count(p.Receivers, "receiver"), msg)
				n++
			}
		}
	}
	return n
}

// CSVHeader is the first line of CSV output.
var CSVHeader = []string{"service", "size", "senders", "receivers", "window", "rate", "sent", "delivered", "elapsed_s",
	"msgs_per_sec", "mb_per_sec", "deliveries_per_sec", "p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us",
	"lost", "duplicated", "out_of_order", "total_order_disagree", "warnings", "verdict",
	"rtt_count", "rtt_p50_us", "rtt_p90_us", "rtt_p99_us", "rtt_p999_us", "rtt_max_us", "run"}

// SaveCSV writes CSV(points) to the file at path.
func SaveCSV(path string, points []flood.Point) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := CSV(f, points); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// CSV writes one line per service type and sweep point, and per run of a
// repeated flood (its last column numbers the runs from 1).
func CSV(w io.Writer, points []flood.Point) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	us := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e3, 'f', 3, 64) }
	for _, p := range points {
		r := p.Results
		for _, s := range r.Services {
			rec := []string{s.Service, strconv.Itoa(r.Size), strconv.Itoa(r.Senders), strconv.Itoa(r.Receivers),
				strconv.Itoa(r.Window), strconv.FormatFloat(r.Rate, 'f', -1, 64),
				strconv.FormatInt(s.Sent, 10), strconv.FormatInt(s.Delivered, 10),
				strconv.FormatFloat(s.Elapsed.Seconds(), 'f', 6, 64),
				strconv.FormatFloat(s.MsgRate, 'f', 1, 64), strconv.FormatFloat(s.MBRate, 'f', 3, 64),
				strconv.FormatFloat(s.DeliveryRate, 'f', 1, 64),
				us(s.Latency.P50), us(s.Latency.P90), us(s.Latency.P99), us(s.Latency.P999), us(s.Latency.Max), us(s.Latency.Mean),
				strconv.FormatInt(s.Lost, 10), strconv.FormatInt(s.Duplicated, 10), strconv.FormatInt(s.OutOfOrder, 10),
				strconv.Itoa(s.TotalOrderDisagree), strings.Join(s.Warnings, "; "), string(s.Judge())}
			if r := s.RTT; r != nil {
				rec = append(rec, strconv.FormatInt(r.Count, 10), us(r.P50), us(r.P90), us(r.P99), us(r.P999), us(r.Max))
			} else {
				rec = append(rec, "0", "", "", "", "", "")
			}
			rec = append(rec, strconv.Itoa(max(p.Run, 1)))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// Document is the JSON output: parameters, environment and every point.
type Document struct {
	Env   Env    `json:"env"`
	Sweep string `json:"sweep,omitempty"`
	// Repeat is how many times each point ran (0 or 1: once); Points
	// then hold every run, and Summary each point's median and
	// confidence interval over its runs.
	Repeat  int                   `json:"repeat,omitempty"`
	Points  []flood.Point         `json:"points"`
	Summary []bench.SeriesSummary `json:"summary,omitempty"`
	// Comparison is the runs compared with a baseline (flood --baseline).
	Comparison *bench.Comparison `json:"comparison,omitempty"`
}

// JSON writes doc as one indented JSON object.
func JSON(w io.Writer, doc Document) error {
	// One object on one line, like every other spgo -o json output.
	return json.NewEncoder(w).Encode(doc)
}
