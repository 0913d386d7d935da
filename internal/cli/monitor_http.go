package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/daemon/daemonhttp"
)

func monitorHTTPRun(ctx context.Context, opts *MonitorOptions) error {
	url := daemonhttp.StatusURL(opts.HTTP)
	client := &http.Client{Timeout: opts.Timeout}
	return opts.watch(ctx, func(at time.Time, _ bool) error {
		rep, err := daemonhttp.FetchStatus(ctx, client, url)
		if err != nil {
			return fetchExit(err)
		}
		return renderHTTPStatus(opts, at, rep)
	})
}

// fetchExit gives FetchStatus's error its exit code; a URL that makes no
// request names the flag it came from. A daemon that does not answer is
// exit 4, as it is for the status query over UDP.
func fetchExit(err error) error {
	var fe *daemonhttp.FetchError
	switch {
	case !errors.As(err, &fe):
		return err
	case errors.Is(err, daemonhttp.ErrBadURL):
		return invalidValue(fmt.Errorf("invalid --http %q: %v", fe.URL, fe.Err))
	case errors.Is(err, daemonhttp.ErrUnreachable):
		return timedOut(err)
	case errors.Is(err, daemonhttp.ErrCutOff):
		return connectionLost(err)
	}
	return err
}

// renderHTTPStatus shows a round by the rule of the status query's: -o json
// one object (the /status document); watching into a pipe one line per
// daemon; else the view, redrawn in place when watching a terminal.
func renderHTTPStatus(opts *MonitorOptions, at time.Time, rep *daemonhttp.StatusReport) error {
	out := opts.Factory.IOStreams.Out
	tty := opts.Factory.IOStreams.IsStdoutTTY()
	var b strings.Builder
	switch {
	case opts.Output == OutputJSON:
		return writeJSONLine(out, rep)
	case opts.Interval > 0 && !tty:
		for _, n := range rep.Nodes {
			b.WriteString(httpNodeLine(at, n) + "\n")
		}
	default:
		if opts.Interval > 0 {
			fmt.Fprintf(&b, "\x1b[H\x1b[2J%s\n", at.Format("15:04:05"))
		}
		for _, n := range rep.Nodes {
			writeHTTPNode(&b, n)
		}
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// seconds is a figure of /status as a duration, in whole seconds.
func seconds(s float64) time.Duration { return time.Duration(s) * time.Second }

// writeHTTPNode is one node in the view: a line, then its sessions and
// groups as tables. A down node has neither: the line says for how long. A
// frozen node's line says for how long it has been frozen.
func writeHTTPNode(b *strings.Builder, n daemonhttp.NodeStatus) {
	san := iostreams.Sanitize
	if !n.Up {
		fmt.Fprintf(b, "%s: down %s\n", san(n.Name), seconds(n.DownSeconds))
		return
	}
	frozen := ""
	if n.Frozen {
		frozen = fmt.Sprintf(", frozen %s", seconds(n.FrozenSeconds))
	}
	fmt.Fprintf(b, "%s: up %s%s, daemons %s, %d %s, %d %s, %d queued, %d slow-consumer kills\n", san(n.Name),
		seconds(n.UptimeSeconds), frozen, san(strings.Join(n.Daemons, " ")),
		len(n.Sessions), english.Plural(len(n.Sessions), "session", "sessions"), len(n.Groups), english.Plural(len(n.Groups), "group", "groups"),
		n.Queued, n.SlowConsumerKills)
	if len(n.Sessions) > 0 {
		t := table.NewWriter()
		t.SetStyle(table.StyleLight)
		t.AppendHeader(table.Row{"SESSION", "REMOTE", "GROUPS", "QUEUED", "BYTES IN", "BYTES OUT"})
		for _, s := range n.Sessions {
			t.AppendRow(table.Row{san(s.Name), san(s.Remote), san(strings.Join(s.Groups, " ")), s.Queued, s.BytesIn, s.BytesOut})
		}
		t.SetColumnConfigs([]table.ColumnConfig{{Number: 4, Align: text.AlignRight}, {Number: 5, Align: text.AlignRight}, {Number: 6, Align: text.AlignRight}})
		b.WriteString(t.Render() + "\n")
	}
	if len(n.Groups) > 0 {
		t := table.NewWriter()
		t.SetStyle(table.StyleLight)
		t.AppendHeader(table.Row{"GROUP", "MEMBERS"})
		for _, g := range n.Groups {
			t.AppendRow(table.Row{san(g.Name), san(strings.Join(g.Members, " "))})
		}
		b.WriteString(t.Render() + "\n")
	}
}

// httpNodeLine is one node's round when watching into a pipe, in the
// key=value form of the status query's lines.
func httpNodeLine(at time.Time, n daemonhttp.NodeStatus) string {
	san := iostreams.Sanitize
	head := at.Format(TimestampLayout) + " " + san(n.Name)
	if !n.Up {
		return fmt.Sprintf("%s down=%ds", head, int64(n.DownSeconds))
	}
	frozen := ""
	if n.Frozen {
		frozen = fmt.Sprintf(" frozen=%ds", int64(n.FrozenSeconds))
	}
	return fmt.Sprintf("%s up=%ds%s daemons=%s sessions=%d groups=%d queued=%d slow_consumer_kills=%d", head,
		int64(n.UptimeSeconds), frozen, san(strings.Join(n.Daemons, ",")), len(n.Sessions), len(n.Groups), n.Queued, n.SlowConsumerKills)
}
