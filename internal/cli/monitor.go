package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
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
spmonitor's partition, flow-control, kill or reload commands.

The daemons come from a spread.conf (--conf, read as spmonitor reads it) or
from -d HOST[:PORT] (repeatable, port 4803 by default); with neither,
./spread.conf or /etc/spread.conf, else -d 127.0.0.1.

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
sessions, groups and members.`,
		Example: `  spgo monitor --conf /etc/spread.conf
  spgo monitor -d 127.0.0.1:4803 -d 127.0.0.2:4803 -o json
  spgo monitor --conf spread.conf --interval 2s
  spgo monitor --conf spread.conf --expect-daemons 3 --max-retrans-rate 10 --timeout 2s || alert
  spgo monitor --http http://127.0.0.1:9464`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("max-retrans-rate") {
				opts.MaxRetransRate = -1
			}
			if opts.Interval > 0 && opts.Interval < opts.Timeout && !cmd.Flags().Changed("timeout") {
				opts.Timeout = opts.Interval // a round must end before the next starts
			}
			switch {
			case opts.Timeout <= 0:
				return invalidValue(fmt.Errorf("invalid --timeout %v: must be more than 0", opts.Timeout))
			case opts.Interval < 0:
				return invalidValue(fmt.Errorf("invalid --interval %v: allowed is 0 (once) or more", opts.Interval))
			case opts.Count < 0:
				return invalidValue(fmt.Errorf("invalid --count %d: allowed is 0 (no limit) or more", opts.Count))
			case opts.ExpectDaemons < 0 || opts.ExpectDaemons > spreadconf.MaxDaemons:
				return invalidValue(fmt.Errorf("invalid --expect-daemons %d: allowed 1..%d", opts.ExpectDaemons, spreadconf.MaxDaemons))
			case cmd.Flags().Changed("max-retrans-rate") && opts.MaxRetransRate < 0:
				return invalidValue(fmt.Errorf("invalid --max-retrans-rate %v: must be 0 or more", opts.MaxRetransRate))
			case opts.HTTP != "" && (opts.Conf != "" || len(opts.Daemons) > 0):
				return invalidValue(errors.New("--http cannot be used with --conf or -d: it reads one spgo daemon's /status"))
			case opts.Interval > 0 && opts.Interval < opts.Timeout:
				return invalidValue(fmt.Errorf("--interval %v is shorter than --timeout %v: make the interval longer", opts.Interval, opts.Timeout))
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
	fl.StringVar(&opts.Identity, "identity", "", "address the queries claim: a daemon name of --conf or an IPv4 address of this host")
	addOutputFlag(cmd, &opts.Output)
	fl.DurationVar(&opts.Interval, "interval", 0, "watch: ask again every interval (0: once)")
	fl.IntVar(&opts.Count, "count", 0, "with --interval, stop after this many rounds (0: until interrupted)")
	fl.DurationVar(&opts.Timeout, "timeout", DefaultMonitorTimeout, "how long to wait for every daemon's answer (at most --interval)")
	fl.IntVar(&opts.ExpectDaemons, "expect-daemons", 0, "check: every daemon sees this many daemons in its membership (exit 6)")
	fl.Float64Var(&opts.MaxRetransRate, "max-retrans-rate", 0, "check: at most this many retransmissions per second per daemon (exit 6)")
	fl.StringVar(&opts.HTTP, "http", "", "show the /status of an spgo daemon started with --http (URL or HOST:PORT)")
	_ = cmd.MarkFlagFilename("conf", "conf")
	return cmd
}

// monitorTargets decides what to ask and which address to claim.
func monitorTargets(opts *MonitorOptions) (targets []spreadmon.Target, identity netip.Addr, err error) {
	var cfg *spreadconf.Config
	conf := opts.Conf
	if conf == "" && len(opts.Daemons) == 0 {
		if found, ferr := spreadconf.Find(); ferr == nil {
			conf = found
		}
	}
	if conf != "" {
		if cfg, err = spreadconf.Load(conf, opts.Resolve); err != nil {
			var se *spreadconf.SyntaxError
			if errors.As(err, &se) || errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
				return nil, identity, invalidValue(fmt.Errorf("invalid --conf: %w", err))
			}
			return nil, identity, err
		}
		for _, d := range cfg.Daemons {
			targets = append(targets, spreadmon.Target{Name: d.Name, Addr: netip.AddrPortFrom(d.Addr, uint16(d.Port))})
		}
	}
	for _, d := range opts.Daemons {
		t, err := parseDaemonAddr(d)
		if err != nil {
			return nil, identity, invalidValue(err)
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		targets = []spreadmon.Target{{Name: "127.0.0.1", Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), spreadmon.DefaultPort)}}
	}
	identity, err = monitorIdentity(opts.Identity, cfg, targets)
	return targets, identity, err
}

// parseDaemonAddr reads -d HOST[:PORT].
func parseDaemonAddr(s string) (spreadmon.Target, error) {
	host, port := s, strconv.Itoa(spreadmon.DefaultPort)
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return spreadmon.Target{}, fmt.Errorf("invalid -d %q: port %q must be 1..65535", s, port)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		ips, lerr := net.LookupIP(host)
		for _, ip := range ips {
			if v4 := ip.To4(); v4 != nil {
				a, _ = netip.AddrFromSlice(v4)
				err = nil
				break
			}
		}
		if err != nil {
			if lerr != nil {
				err = lerr
			}
			return spreadmon.Target{}, fmt.Errorf("invalid -d %q: want HOST[:PORT] with an IPv4 host: %v", s, err)
		}
	}
	if !a.Is4() {
		return spreadmon.Target{}, fmt.Errorf("invalid -d %q: the monitor protocol reaches IPv4 daemons only", s)
	}
	return spreadmon.Target{Name: s, Addr: netip.AddrPortFrom(a, uint16(n))}, nil
}

// monitorIdentity is --identity, or spmonitor's default: the first daemon of
// the configuration on this host, else the address that reaches the first
// target.
func monitorIdentity(flag string, cfg *spreadconf.Config, targets []spreadmon.Target) (netip.Addr, error) {
	if flag != "" {
		if cfg != nil {
			for _, d := range cfg.Daemons {
				if d.Name == flag {
					return d.Addr, nil
				}
			}
		}
		a, err := netip.ParseAddr(flag)
		if err != nil || !a.Is4() {
			return a, invalidValue(fmt.Errorf("invalid --identity %q: want a daemon name of --conf or an IPv4 address of this host", flag))
		}
		return a, nil
	}
	if cfg != nil {
		for _, d := range cfg.Daemons {
			if spreadmon.IsLocal(d.Addr) {
				return d.Addr, nil
			}
		}
	}
	a, err := spreadmon.LocalAddrFor(targets[0].Addr)
	if err != nil {
		return a, fmt.Errorf("no address of this host reaches %s: %w", targets[0].Addr, err)
	}
	return a, nil
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
	for round := 1; ; round++ {
		at := opts.Factory.Now()
		res := p.Poll(ctx, opts.Timeout)
		if ctx.Err() != nil {
			return verdict // interrupted: the last complete round decides
		}
		rates := monitorRates(prev, res, at.Sub(prevAt))
		if err := v.render(at, res, rates); err != nil {
			return err
		}
		verdict = monitorVerdict(opts, identity, res, rates)
		if opts.Interval == 0 || (opts.Count > 0 && round >= opts.Count) {
			return verdict
		}
		if verdict != nil {
			fmt.Fprintf(opts.Factory.IOStreams.ErrOut, "spgo: %s\n", verdict)
		}
		prev, prevAt = res, at
		select {
		case <-ctx.Done():
			return verdict
		case <-time.After(time.Until(at.Add(opts.Interval))):
		}
	}
}

// rates are per-second changes over an interval, per daemon (nil for the
// first round or a daemon without two answers).
type rates struct {
	Sent        float64 `json:"sent"`
	Recv        float64 `json:"recv"`
	Delivered   float64 `json:"delivered"`
	Retrans     float64 `json:"retrans"`
	TokenRounds float64 `json:"token_rounds"`
}

func monitorRates(prev, cur []spreadmon.Result, dt time.Duration) []*rates {
	out := make([]*rates, len(cur))
	if prev == nil || dt <= 0 {
		return out
	}
	s := dt.Seconds()
	for i, c := range cur {
		if i >= len(prev) || c.Status == nil || prev[i].Status == nil || c.Status.Sec < prev[i].Status.Sec {
			continue // no answer, or the daemon restarted
		}
		a, b := prev[i].Status, c.Status
		out[i] = &rates{
			Sent: float64(b.PacketSent-a.PacketSent) / s, Recv: float64(b.PacketRecv-a.PacketRecv) / s,
			Delivered: float64(b.PacketDelivered-a.PacketDelivered) / s, Retrans: float64(b.Retrans-a.Retrans) / s,
			TokenRounds: float64(b.TokenRounds-a.TokenRounds) / s,
		}
	}
	return out
}

// monitorVerdict checks the round: a daemon that did not answer (exit 4)
// before a check that failed (exit 6); the first reason, in target order.
func monitorVerdict(opts *MonitorOptions, identity netip.Addr, res []spreadmon.Result, rs []*rates) error {
	answered := 0
	for _, r := range res {
		if r.Status != nil {
			answered++
		}
	}
	for _, r := range res {
		if r.Status == nil {
			msg := fmt.Sprintf("%s did not answer: %v", daemonLabel(r.Target), r.Err)
			if answered == 0 && errors.Is(r.Err, spreadmon.ErrNoAnswer) {
				msg += fmt.Sprintf(" (is it running? a real Spread daemon answers only if %s, the address spgo claims, is a daemon of its spread.conf: see --identity)", identity)
			}
			return timedOut(errors.New(msg))
		}
	}
	for i, r := range res {
		s := r.Status
		if opts.ExpectDaemons > 0 && int(s.NumProcs) != opts.ExpectDaemons {
			return checkFailed(fmt.Errorf("check failed: %s sees %d %s in its membership, expected %d",
				daemonLabel(r.Target), s.NumProcs, plural(int(s.NumProcs), "daemon", "daemons"), opts.ExpectDaemons))
		}
		if opts.MaxRetransRate >= 0 {
			rate, over := retransRate(s, rs[i])
			if rate > opts.MaxRetransRate {
				return checkFailed(fmt.Errorf("check failed: %s retransmits %.1f packets/s %s, more than --max-retrans-rate %g",
					daemonLabel(r.Target), rate, over, opts.MaxRetransRate))
			}
		}
	}
	return nil
}

// retransRate is over the interval when there is one, else since start.
func retransRate(s *spreadmon.Status, r *rates) (float64, string) {
	if r != nil {
		return r.Retrans, "over the interval"
	}
	if s.Sec <= 0 {
		return 0, "since start"
	}
	return float64(s.Retrans) / float64(s.Sec), "since start"
}

func daemonLabel(t spreadmon.Target) string {
	if t.Name == t.Addr.String() || t.Name == t.Addr.Addr().String() || strings.HasPrefix(t.Name, t.Addr.Addr().String()) {
		return t.Addr.String()
	}
	return fmt.Sprintf("%s (%s)", t.Name, t.Addr)
}
