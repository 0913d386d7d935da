package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// monitorView prints the rounds of spgo monitor in the chosen shape.
type monitorView struct {
	out     io.Writer
	json    bool
	watch   bool
	tty     bool
	targets []spreadmon.Target
}

func newMonitorView(opts *MonitorOptions, targets []spreadmon.Target) *monitorView {
	return &monitorView{out: opts.Factory.IOStreams.Out, json: opts.Output == OutputJSON, watch: opts.Interval > 0,
		tty: opts.Factory.IOStreams.IsStdoutTTY(), targets: targets}
}

func (v *monitorView) render(at time.Time, res []spreadmon.Result, rs []*spreadmon.Rates) error {
	switch {
	case v.json:
		for i, r := range res {
			if err := writeJSONLine(v.out, v.jsonOf(at, r, rs[i])); err != nil {
				return err
			}
		}
		return nil
	case v.watch && !v.tty:
		var b strings.Builder
		for i, r := range res {
			b.WriteString(v.line(at, r, rs[i]) + "\n")
		}
		_, err := io.WriteString(v.out, b.String())
		return err
	}
	var b strings.Builder
	if v.watch {
		// Redraw in place: home, clear, then the table.
		fmt.Fprintf(&b, "\x1b[H\x1b[2J%s  every round asks %d %s\n", at.Format("15:04:05"), len(res), english.Plural(len(res), "daemon", "daemons"))
	}
	b.WriteString(v.table(res, rs))
	for _, r := range res {
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "note: %s: %s\n", r.Target.Label(), p)
		}
	}
	_, err := io.WriteString(v.out, b.String())
	return err
}

// table is the once view, or the watch view with rates per second.
func (v *monitorView) table(res []spreadmon.Result, rs []*spreadmon.Rates) string {
	t := table.NewWriter()
	t.SetStyle(table.StyleLight)
	hdr := table.Row{"DAEMON", "ADDRESS", "STATE", "UPTIME", "DAEMONS", "SEGS", "LEADER", "SESSIONS", "GROUPS"}
	if v.watch {
		hdr = append(hdr, "SENT/s", "RECV/s", "DELIV/s", "RETRANS/s", "ROUNDS/s")
	} else {
		hdr = append(hdr, "SENT", "RECV", "DELIVERED", "RETRANS", "ROUNDS")
	}
	hdr = append(hdr, "WINDOW", "VERSION")
	t.AppendHeader(hdr)
	for i, r := range res {
		row := table.Row{iostreams.Sanitize(r.Name), r.Addr.String()}
		s := r.Status
		if s == nil {
			row = append(row, "down", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-")
			t.AppendRow(row)
			continue
		}
		row = append(row, spreadmon.StateName(s.State), (time.Duration(s.Sec) * time.Second).String(),
			s.NumProcs, s.NumSegments, spreadmon.LeaderName(s, v.targets), s.NumSessions, s.NumGroups)
		if v.watch {
			if r := rs[i]; r != nil {
				row = append(row, rate1(r.Sent), rate1(r.Recv), rate1(r.Delivered), rate1(r.Retrans), rate1(r.TokenRounds))
			} else {
				row = append(row, "-", "-", "-", "-", "-")
			}
		} else {
			row = append(row, s.PacketSent, s.PacketRecv, s.PacketDelivered, s.Retrans, s.TokenRounds)
		}
		row = append(row, fmt.Sprintf("%d/%d", s.Window, s.PersonalWindow), s.Version())
		t.AppendRow(row)
	}
	// Figures right, names left: the leader is a daemon, like DAEMON.
	var cols []table.ColumnConfig
	for i := 4; i <= len(hdr); i++ {
		if hdr[i-1] != "LEADER" {
			cols = append(cols, table.ColumnConfig{Number: i, Align: text.AlignRight, AlignHeader: text.AlignRight})
		}
	}
	t.SetColumnConfigs(cols)
	return t.Render() + "\n"
}

func rate1(f float64) string { return fmt.Sprintf("%.1f", f) }

// line is one daemon's round when watching into a pipe.
func (v *monitorView) line(at time.Time, r spreadmon.Result, rt *spreadmon.Rates) string {
	head := fmt.Sprintf("%s %s %s", at.Format(TimestampLayout), iostreams.Sanitize(r.Name), r.Addr)
	s := r.Status
	if s == nil {
		return head + " down: " + r.Err.Error()
	}
	l := fmt.Sprintf("%s %s up=%ds daemons=%d segments=%d leader=%s sessions=%d groups=%d sent=%d recv=%d delivered=%d retrans=%d rounds=%d",
		head, spreadmon.StateName(s.State), s.Sec, s.NumProcs, s.NumSegments, spreadmon.LeaderName(s, v.targets), s.NumSessions, s.NumGroups,
		s.PacketSent, s.PacketRecv, s.PacketDelivered, s.Retrans, s.TokenRounds)
	if rt != nil {
		l += fmt.Sprintf(" sent/s=%.1f recv/s=%.1f delivered/s=%.1f retrans/s=%.1f rounds/s=%.1f", rt.Sent, rt.Recv, rt.Delivered, rt.Retrans, rt.TokenRounds)
	}
	return l
}

// jsonMonitor is one daemon's round in -o json.
type jsonMonitor struct {
	Time      string           `json:"time"`
	Daemon    string           `json:"daemon"`
	Address   string           `json:"address"`
	Up        bool             `json:"up"`
	Error     string           `json:"error,omitempty"`
	State     string           `json:"state,omitempty"`
	Leader    string           `json:"leader,omitempty"`
	Version   string           `json:"version,omitempty"`
	ByteOrder string           `json:"byte_order,omitempty"`
	RTTMicros int64            `json:"rtt_us,omitempty"`
	Status    map[string]int64 `json:"status,omitempty"` // status.h's field names
	Known     int              `json:"known_fields,omitempty"`
	Problems  []string         `json:"problems"` // [] when there are none, never null
	Rates     *spreadmon.Rates `json:"rates_per_second,omitempty"`
}

func (v *monitorView) jsonOf(at time.Time, r spreadmon.Result, rt *spreadmon.Rates) jsonMonitor {
	j := jsonMonitor{Time: at.Format(TimestampLayout), Daemon: r.Name, Address: r.Addr.String(), Problems: []string{}}
	s := r.Status
	if s == nil {
		j.Error = r.Err.Error()
		return j
	}
	j.Up, j.State, j.Leader, j.Version = true, spreadmon.StateName(s.State), spreadmon.LeaderName(s, v.targets), s.Version()
	j.ByteOrder = "little-endian"
	if r.BigEndian {
		j.ByteOrder = "big-endian"
	}
	j.RTTMicros, j.Known, j.Rates = r.RTT.Microseconds(), r.Known, rt
	j.Problems = append(j.Problems, r.Problems...)
	j.Status = map[string]int64{}
	for _, name := range spreadmon.FieldNames() {
		j.Status[name], _ = s.Field(name)
	}
	return j
}
