package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/spreadconf"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// MonitorOptions are the flags of `spgo monitor`.
type MonitorOptions struct {
	Factory *Factory

	Conf           string   // --conf: daemons of a spread.conf
	Daemons        []string // -d HOST[:PORT], repeatable
	Servers        []string // -s PORT[@HOST], repeatable, lists allowed; else $SPGO_SERVER's
	Identity       string   // --identity: the address the queries claim (spmonitor -n)
	Output         string
	Interval       time.Duration // --interval: watch mode
	Count          int           // --count: rounds in watch mode (0: until interrupted)
	Timeout        time.Duration // per poll
	ExpectDaemons  int
	MaxRetransRate float64 // retransmissions per second; <0: no check
	HTTP           string  // --http URL: an spgo daemon's /status

	// Resolve looks up daemon names of a configuration (tests substitute).
	Resolve spreadconf.Resolver
}

// DefaultMonitorTimeout is how long spgo monitor waits for answers.
const DefaultMonitorTimeout = time.Second

// NewCmdMonitor builds `spgo monitor`.
func NewCmdMonitor(f *Factory, runF func(context.Context, *MonitorOptions) error) *cobra.Command {
	opts := &MonitorOptions{Factory: f, Resolve: spreadconf.LookupIPv4}
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: "Show the status of Spread daemons (spmonitor's status, for scripts and terminals)",
		Long: `Ask Spread daemons for their status with the status query of Spread's monitor
protocol (UDP, to each daemon's port) and show what they answer: state,
uptime, packets sent, received and delivered, retransmissions, token rounds,
the daemons and segments in the membership, sessions, groups, windows and
version. spgo daemon answers the same query. Status only: spgo never sends
spmonitor's partition, flow-control, kill or reload commands. To crash,
partition, heal or restart nodes of a ring of spgo daemons (spgo daemon
--nodes N), use spgo daemon ctl.

The daemons come from a spread.conf (--conf, read as spmonitor reads it),
from -d HOST[:PORT] (repeatable, port 4803 by default) and from -s
PORT[@HOST], the name clients use (a daemon's monitor port is its client
port; a bare PORT is 127.0.0.1:PORT; a list a,b asks each). Given together,
all are asked: --conf's daemons, then -d's, then -s's. With none of them,
$SPGO_SERVER's daemons when it is set, else ./spread.conf or
/etc/spread.conf, else 127.0.0.1:4803.

A real Spread daemon answers only when the address the query claims is a
daemon of its own spread.conf, and sends the answer there. spgo claims
--identity (a daemon name of --conf or an IPv4 address of this host); by
default the first daemon of --conf that is on this host, or the address this
host reaches the first daemon from.

Once (the default): a table, or one JSON object per daemon with -o json.
--interval D watches: on a terminal the table is redrawn with rates per
second over the interval; piped, one line (or JSON object) per daemon per
interval. Checks for scripts: a daemon that does not answer within --timeout
exits 4; --expect-daemons N (every daemon must see N daemons in its
membership) and --max-retrans-rate R (retransmissions per second, over the
interval, or since start when run once) exit 6; the reason is one line on
stderr.

--http URL shows an spgo daemon's richer /status (spgo daemon --http): its
sessions, groups and members, and how long a crashed ring node has been
down. Watching it follows the same rule: the view once or on a terminal,
one line per daemon per interval piped; the whole /status document per
interval with -o json. Nothing answering at URL exits 4.`,
		Example: `  spgo monitor --conf /etc/spread.conf
  spgo monitor -d 127.0.0.1:4803 -d 127.0.0.2:4803 -o json
  spgo monitor -s 4803@10.0.0.5
  spgo daemon --nodes 3 & spgo monitor -s 4803@127.0.0.1,4803@127.0.0.2,4803@127.0.0.3
  spgo monitor --conf spread.conf --interval 2s
  spgo monitor --conf spread.conf --expect-daemons 3 --max-retrans-rate 10 --timeout 2s || alert
  spgo monitor --http http://127.0.0.1:9464`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.settle(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			if opts.HTTP != "" {
				return monitorHTTPRun(cmd.Context(), opts)
			}
			return monitorRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Conf, "conf", "", "spread.conf naming the daemons (default ./spread.conf, /etc/spread.conf)")
	fl.StringArrayVarP(&opts.Daemons, "daemon", "d", nil, "a daemon to ask, HOST[:PORT] (port 4803 by default); repeatable")
	fl.StringArrayVarP(&opts.Servers, "server", "s", nil, "a daemon to ask by its client name, PORT (127.0.0.1:PORT) or PORT@HOST; several (a,b or a repeated -s) are each asked; env "+EnvServer+" when no --conf, -d or -s")
	fl.StringVar(&opts.Identity, "identity", "", "address the queries claim: a daemon name of --conf or an IPv4 address of this host")
	addOutputFlag(cmd, &opts.Output)
	fl.DurationVar(&opts.Interval, "interval", 0, "watch: ask again every interval (0: once)")
	fl.IntVar(&opts.Count, "count", 0, "with --interval, stop after this many rounds (0: until interrupted)")
	fl.DurationVar(&opts.Timeout, "timeout", DefaultMonitorTimeout, "how long to wait for every daemon's answer (at most --interval)")
	positiveDurations(cmd, "timeout")
	fl.IntVar(&opts.ExpectDaemons, "expect-daemons", 0, "check: every daemon sees this many daemons in its membership (exit 6)")
	fl.Float64Var(&opts.MaxRetransRate, "max-retrans-rate", 0, "check: at most this many retransmissions per second per daemon (exit 6)")
	fl.StringVar(&opts.HTTP, "http", "", "show the /status of an spgo daemon started with --http (URL or HOST:PORT)")
	_ = cmd.MarkFlagFilename("conf", "conf")
	return cmd
}

// settle fills what depends on which flags were given and refuses values
// and combinations that cannot be used.
func (opts *MonitorOptions) settle(cmd *cobra.Command) error {
	limited := cmd.Flags().Changed("max-retrans-rate")
	if !limited {
		opts.MaxRetransRate = -1
	}
	if opts.Interval > 0 && opts.Interval < opts.Timeout && !cmd.Flags().Changed("timeout") {
		opts.Timeout = opts.Interval // a round must end before the next starts
	}
	checks := checksErr(opts, limited)
	switch {
	case opts.Timeout <= 0:
		return invalidValue(fmt.Errorf("invalid --timeout %v: must be more than 0", opts.Timeout))
	case opts.Interval < 0:
		return invalidValue(fmt.Errorf("invalid --interval %v: allowed is 0 (once) or more", opts.Interval))
	case opts.Count < 0:
		return invalidValue(fmt.Errorf("invalid --count %d: allowed is 0 (no limit) or more", opts.Count))
	case checks != nil:
		return invalidValue(checks)
	case opts.HTTP != "" && (opts.Conf != "" || len(opts.Daemons) > 0 || len(opts.Servers) > 0):
		return invalidValue(errors.New("--http cannot be used with --conf, -d or -s: it reads one spgo daemon's /status"))
	case opts.Interval > 0 && opts.Interval < opts.Timeout:
		return invalidValue(fmt.Errorf("--interval %v is shorter than --timeout %v: make the interval longer", opts.Interval, opts.Timeout))
	}
	return nil
}

// checksErr is spreadmon's verdict on the check flags, naming the flag;
// limited says whether --max-retrans-rate was given.
func checksErr(opts *MonitorOptions, limited bool) error {
	c := spreadmon.Checks{ExpectDaemons: opts.ExpectDaemons, LimitRetrans: limited, MaxRetransRate: opts.MaxRetransRate}
	var ce *spreadmon.CheckError
	switch err := c.Validate(); {
	case !errors.As(err, &ce):
		return err
	case ce.Field == "ExpectDaemons":
		return fmt.Errorf("invalid --expect-daemons %d: allowed 1..%d", opts.ExpectDaemons, spreadconf.MaxDaemons)
	default:
		return fmt.Errorf("invalid --max-retrans-rate %v: %s", opts.MaxRetransRate, ce.Rule)
	}
}

// monitorTargets decides what to ask and which address to claim, and
// names the flag behind a bad value.
func monitorTargets(opts *MonitorOptions) ([]spreadmon.Target, netip.Addr, error) {
	servers, fromEnv := opts.Servers, false
	if opts.Conf == "" && len(opts.Daemons) == 0 && len(servers) == 0 {
		servers, fromEnv = monitorEnvServers(opts.Factory), true
	}
	spec := spreadmon.Spec{Conf: opts.Conf, Daemons: opts.Daemons, Servers: servers, Identity: opts.Identity, Resolve: opts.Resolve}
	targets, identity, err := spec.Targets()
	var (
		ce *spreadmon.ConfigError
		te *spreadmon.TargetError
		sv *spreadmon.ServerError
		ie *spreadmon.IdentityError
		se *spreadconf.SyntaxError
	)
	switch {
	case err == nil:
	case errors.As(err, &ce) && (errors.As(err, &se) || errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission)):
		err = invalidValue(fmt.Errorf("invalid --conf: %w", ce.Err))
	case errors.As(err, &ce):
		err = ce.Err
	case errors.As(err, &sv) && fromEnv:
		err = invalidValue(fmt.Errorf("invalid $%s %q: %s", EnvServer, sv.Input, sv.Msg))
	case errors.As(err, &sv):
		err = invalidValue(fmt.Errorf("invalid -s %q: %s", sv.Input, sv.Msg))
	case errors.As(err, &te):
		err = invalidValue(fmt.Errorf("invalid -d %q: %s", te.Input, te.Msg))
	case errors.As(err, &ie) && !ie.Default:
		err = invalidValue(fmt.Errorf("invalid --identity %q: want a daemon name of --conf or an IPv4 address of this host", ie.Identity))
	}
	return targets, identity, err
}

// monitorEnvServers is $SPGO_SERVER's daemons for spgo monitor when no
// flag names one; nil when it is unset.
func monitorEnvServers(f *Factory) []string {
	if f.Getenv == nil {
		return nil
	}
	if v := strings.TrimSpace(f.Getenv(EnvServer)); v != "" {
		return []string{v}
	}
	return nil
}

func monitorRun(ctx context.Context, opts *MonitorOptions) error {
	targets, identity, err := monitorTargets(opts)
	if err != nil {
		return err
	}
	p, err := spreadmon.NewPoller(identity, targets)
	if err != nil {
		return invalidValue(fmt.Errorf("--identity: %w", err))
	}
	defer p.Close()
	v := newMonitorView(opts, targets)
	var prev []spreadmon.Result
	var prevAt time.Time
	var verdict error
	err = opts.watch(ctx, func(at time.Time, last bool) error {
		res := p.Poll(ctx, opts.Timeout)
		if ctx.Err() != nil {
			return nil // interrupted: the last complete round decides
		}
		rates := spreadmon.RatesBetween(prev, res, at.Sub(prevAt))
		if err := v.render(at, res, rates); err != nil {
			return err
		}
		verdict = monitorVerdict(opts, identity, res, rates)
		if verdict != nil && !last {
			fmt.Fprintf(opts.Factory.IOStreams.ErrOut, "spgo: %s\n", verdict)
		}
		prev, prevAt = res, at
		return nil
	})
	if err != nil {
		return err
	}
	return verdict
}

// watch runs round now and, with --interval, again every interval until
// --count rounds have run or ctx ends; last tells round that no other
// follows. An error from round ends the watch with it.
func (opts *MonitorOptions) watch(ctx context.Context, round func(at time.Time, last bool) error) error {
	for n := 1; ; n++ {
		at := opts.Factory.Now()
		last := opts.Interval == 0 || (opts.Count > 0 && n >= opts.Count)
		if err := round(at, last); err != nil || last {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Until(at.Add(opts.Interval))):
		}
	}
}

// monitorVerdict checks the round: a daemon that did not answer (exit 4)
// before a check that failed (exit 6); the first reason, in target order.
func monitorVerdict(opts *MonitorOptions, identity netip.Addr, res []spreadmon.Result, rs []*spreadmon.Rates) error {
	c := spreadmon.Checks{ExpectDaemons: opts.ExpectDaemons, LimitRetrans: opts.MaxRetransRate >= 0, MaxRetransRate: opts.MaxRetransRate}
	problems := spreadmon.Check(res, rs, c)
	if len(problems) == 0 {
		return nil
	}
	switch p := problems[0]; p.Reason {
	case spreadmon.NoAnswer:
		msg := p.Error()
		if noneAnswered(res) && errors.Is(p, spreadmon.ErrNoAnswer) {
			msg += fmt.Sprintf(" (is it running? a real Spread daemon answers only if %s, the address spgo claims, is a daemon of its spread.conf: see --identity)", identity)
		}
		return timedOut(errors.New(msg))
	case spreadmon.RetransRate:
		return checkFailed(fmt.Errorf("check failed: %s retransmits %.1f packets/s %s, more than --max-retrans-rate %g",
			p.Target.Label(), p.Rate, p.Span, p.Limit))
	default:
		return checkFailed(fmt.Errorf("check failed: %w", p))
	}
}

func noneAnswered(res []spreadmon.Result) bool {
	for _, r := range res {
		if r.Status != nil {
			return false
		}
	}
	return true
}
