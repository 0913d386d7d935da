package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/plot"
	"github.com/spgo/spgo/pkg/flood/report"
	"github.com/spgo/spgo/pkg/spread"
)

// FloodOptions are spgo flood's flags.
type FloodOptions struct {
	Factory *Factory
	Conn    ConnOptions

	Embedded   bool
	Transport  string // tcp or unix (embedded)
	Services   []string
	Count      int
	Duration   time.Duration
	Size       int
	Senders    int
	Receivers  int
	Window     int
	Rate       float64
	Members    int
	ReadOnly   bool
	WriteOnly  bool
	Group      string
	Output     string
	CSV        string
	Sweep      string
	Plot       string
	CPUProfile string
	Stall      time.Duration
	Progress   string // auto, always, never
	Crash      string // --crash NODE: crash a node of the embedded ring halfway
	RTT        bool   // --rtt: time round trips of sampled messages
	RTTEvery   int    // --rtt-every
	ReadBatch  int    // --read-batch

	// --partition d1,d2/d3: split the embedded ring halfway; sides is
	// the flag read (validateRing).
	Partition string
	sides     [][]string

	// Across the daemons of a ring (flood_ring.go): the placement, and
	// its shorthands.
	SendersAt      []string
	ReceiversAt    []string
	Nodes          int
	ReceiverServer string
	EmbeddedNodes  int
	SenderNode     int
	ReceiverNode   int

	// Across hosts (flood_coord.go): the agents to find and their roles.
	Agents         int
	Control        string
	AgentWait      time.Duration
	AgentTimeout   time.Duration
	AgentSenders   []int
	AgentReceivers []int

	// Repeated runs and the regression gate (flood_repeat.go).
	Bench FloodBenchOptions
}

// floodLong is spgo flood's help text.
const floodLong = `Floods one group with messages of each service type in turn, from --senders
senders to --receivers receivers (one session each, all started on one
signal), and prints a table: messages/s and MB/s per receiver, one-way
latency percentiles (from a send timestamp in each message), and what was
lost, duplicated or reordered against each service type's promise (FIFO per
sender; CAUSAL checked as FIFO; AGREED and SAFE one total order across
receivers; RELIABLE no loss; UNRELIABLE may lose).

A sender keeps at most --window messages in flight, counted by the slowest
receiver's progress, so no daemon queue overflows. --rate fixes the total
send rate; latency is then measured from each message's intended send time
(no coordinated omission).

--rtt measures round trips, which need no clock shared between hosts:
every receiver echoes each sender's every --rtt-every-th message back to
the sender's private group (in the same service type), and the sender times
it on its own clock. A second table gives RTT percentiles per service type.
In a split run the receivers (--ro --rtt) echo and the senders (--wo) time
whatever comes back.

Across hosts: run "spgo flood agent" beside each host's daemon; "spgo flood
--agents N" finds N agents in the control group, gives the senders to
--agent-senders (default agent 1) and the receivers to --agent-receivers
(default the others; an agent in both lists runs both), starts the
receivers first and the senders once every receivers' agent says
"ready" (its sessions are in the flood group: the start signal), and
merges their results, histograms exactly. Spread carries the
coordination: the hosts need nothing but the daemons' ports.

A daemon crash, partition or merge mid-run is reported instead of a stall:
the memberships seen, the sessions that lost their daemon, the longest gap
between deliveries, and the promises judged among the survivors; exit 7
when they held. --crash NODE crashes a node of --nodes halfway.
--partition d1,d2/d3 splits the ring into those sides halfway, where it
stays split; by default a sender and a receiver go on every side, and each
side's promises are judged on their own: its senders' messages all reach
its receivers, which agree on what they got from the other sides, in one
total order per side. Either fault happens once, in a run of one service
type (not with --sweep or --repeat).

--embedded starts spgo's daemon in this process on a free port and floods
it; otherwise the daemon named by -s is flooded. Latency across machines is
only as good as their clocks' synchronisation.

spflooder's flags work as there: -m messages, -b bytes, -n members to wait
for, --ro (read-only: only receive, -m messages from each of --senders
remote senders) and --wo (write-only: only send; the senders join and count
their own echoes for the window; --window -1 sends with no flow control).`

const floodExample = `  spgo flood --embedded                      # all six service types, 100000 x 1000 bytes
  spgo flood --embedded --services agreed,safe --receivers 4 -o json
  spgo flood --embedded --sweep size --plot sizes.svg
  spgo flood --embedded --rtt --services agreed -o json
  spgo flood -s 4803@host -m 10000 -b 1000 --services reliable
  spgo flood --ro -n 2 --services fifo   # and elsewhere: spgo flood --wo -n 2 --services fifo`

// NewCmdFlood builds `spgo flood`; runF replaces floodRun in tests.
func NewCmdFlood(f *Factory, runF func(context.Context, *FloodOptions) error) *cobra.Command {
	opts := &FloodOptions{Factory: f}
	cmd := &cobra.Command{
		Use:     "flood",
		Short:   "Benchmark a daemon: throughput, latency and ordering of every service type",
		Long:    floodLong,
		Example: floodExample,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			readConnFlags(cmd, &opts.Conn)
			noteFloodDeprecated(cmd)
			if err := opts.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return floodRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, "time limit for connecting each session (0: 10s)")
	addFloodLoadFlags(cmd, opts)
	addFloodOutputFlags(cmd, opts)
	addFloodRingFlags(cmd, opts)
	hideFloodShorthands(cmd)
	addFloodAgentFlags(cmd, opts)
	addFloodBenchFlags(cmd, &opts.Bench)
	cmd.AddCommand(newCmdFloodAgent(f))
	cmd.AddCommand(newCmdFloodCompare(f))
	return cmd
}

// addFloodLoadFlags registers what the flood sends, from where to where
// and how fast, spflooder's names included.
func addFloodLoadFlags(cmd *cobra.Command, opts *FloodOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&opts.Embedded, "embedded", false, "start spgo's daemon in this process (free port) and flood it")
	fl.Var(newEnumValue(&opts.Transport, "tcp", "tcp", "unix"), "transport", "with --embedded: tcp or unix socket")
	fl.StringSliceVar(&opts.Services, "services", []string{"all"}, "service types, comma separated: unreliable, reliable, fifo, causal, agreed, safe or all")
	fl.IntVarP(&opts.Count, "count", "m", flood.DefaultCount, "messages per sender per service type (spflooder -m)")
	fl.DurationVar(&opts.Duration, "duration", 0, "send for this long instead of --count messages")
	fl.IntVarP(&opts.Size, "size", "b", flood.DefaultSize, fmt.Sprintf("bytes per message, %d..%d (spflooder -b)", flood.PayloadHeader, flood.MaxSize))
	fl.IntVar(&opts.Senders, "senders", 1, "sending sessions (with --ro: remote senders to expect)")
	fl.IntVar(&opts.Receivers, "receivers", 1, "receiving sessions")
	fl.IntVar(&opts.Window, "window", flood.DefaultWindow, "most messages a sender has in flight (-1: no flow control)")
	fl.Float64Var(&opts.Rate, "rate", 0, "total send rate in messages/s, split over the senders (0: as fast as the window allows)")
	fl.IntVarP(&opts.Members, "members", "n", 0, "wait until the group has this many members before sending (spflooder -n)")
	fl.BoolVar(&opts.ReadOnly, "read-only", false, "only receive (spflooder -ro)")
	fl.BoolVar(&opts.WriteOnly, "write-only", false, "only send (spflooder -wo)")
	fl.StringVar(&opts.Group, "group", flood.DefaultGroup, "group to flood (suffixed -SERVICE when several types run)")
	fl.DurationVar(&opts.Stall, "stall", flood.DefaultStall, "give up on a service type after this long without progress")
	fl.BoolVar(&opts.RTT, "rtt", false, "also measure round trips: receivers echo every --rtt-every-th message to its sender")
	fl.IntVar(&opts.RTTEvery, "rtt-every", flood.DefaultRTTEvery, "with --rtt: echo every Nth message of each sender")
	fl.IntVar(&opts.ReadBatch, "read-batch", 0, fmt.Sprintf("bytes a receiver lets wait before it wakes, so the daemon does not pay a wake-up every few messages (0: up to %d, -1: off; TCP only)", flood.DefaultReadBatch))
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		switch name { // spflooder's -ro/-wo as --ro/--wo
		case "ro":
			name = "read-only"
		case "wo":
			name = "write-only"
		}
		return pflag.NormalizedName(name)
	})
	_ = cmd.RegisterFlagCompletionFunc("services", cobra.FixedCompletions(append([]string{"all"}, serviceNames...), cobra.ShellCompDirectiveNoFileComp))
	cmd.MarkFlagsMutuallyExclusive("read-only", "write-only")
	cmd.MarkFlagsMutuallyExclusive("count", "duration")
	cmd.MarkFlagsMutuallyExclusive("embedded", "server")
}

// addFloodOutputFlags registers what the flood writes and how it shows
// its progress.
func addFloodOutputFlags(cmd *cobra.Command, opts *FloodOptions) {
	fl := cmd.Flags()
	addFloodOutputFlag(cmd, &opts.Output)
	fl.StringVar(&opts.CSV, "csv", "", "also write the results as CSV to this file")
	fl.StringVar(&opts.Sweep, "sweep", "", "run once per value: size[=100,1000,...] or receivers[=1,2,4,8]")
	fl.StringVar(&opts.Plot, "plot", "", "with --sweep: write throughput and latency plots to FILE.svg or FILE.png")
	fl.StringVar(&opts.CPUProfile, "cpuprofile", "", "write a CPU profile of the whole run (client and embedded daemon) to FILE")
	fl.Var(newEnumValue(&opts.Progress, "auto", "auto", "always", "never"), "progress", "progress bar on stderr: auto (terminal only), always, never")
}

// newCmdFlood is what root.go registers.
func newCmdFlood(f *Factory) *cobra.Command { return NewCmdFlood(f, nil) }

// validate checks what flags alone cannot.
func (o *FloodOptions) validate(cmd *cobra.Command) error {
	if _, err := o.services(); err != nil {
		return floodSettingError(err)
	}
	if cmd.Flags().Changed("duration") {
		o.Count = 0
	} else if o.Count == 0 { // Config's 0 is the default count; -m 0 is not
		return floodSettingError(flood.CountError(0))
	}
	if err := floodConfig(o).CheckSettings(); err != nil {
		return floodSettingError(err)
	}
	switch {
	case o.Senders < 1 || o.Receivers < 1:
		return usageErrorf("--senders %d / --receivers %d: want at least 1 each", o.Senders, o.Receivers)
	case o.Window == 0 || o.Window < -1:
		return usageErrorf("--window %d: want 1 or more, or -1 for no flow control", o.Window)
	case o.Plot != "" && o.Sweep == "":
		return usageErrorf("--plot needs --sweep (it plots against message size or receivers)")
	case o.Plot != "" && !strings.HasSuffix(o.Plot, ".svg") && !strings.HasSuffix(o.Plot, ".png"):
		return usageErrorf("--plot %q: the file must end in .svg or .png", o.Plot)
	case (o.ReadOnly || o.WriteOnly) && o.Sweep != "":
		return usageErrorf("--sweep runs senders and receivers here; not with --read-only/--write-only")
	case (o.ReadOnly || o.WriteOnly) && o.Embedded:
		return usageErrorf("--read-only/--write-only flood a shared daemon (-s); not with --embedded")
	case cmd.Flags().Changed("rtt-every") && !o.RTT:
		return usageErrorf("--rtt-every needs --rtt")
	case o.RTT && o.RTTEvery < 1:
		return usageErrorf("--rtt-every %d: want 1 (every message) or more", o.RTTEvery)
	case o.RTT && o.WriteOnly:
		return usageErrorf("--rtt goes on the receiving side (--read-only --rtt); --write-only senders time every echo they get")
	}
	if err := o.validateRing(cmd); err != nil {
		return err
	}
	if err := o.validateAgents(cmd); err != nil {
		return err
	}
	if err := o.Bench.validate(cmd, o); err != nil {
		return err
	}
	if o.Sweep != "" {
		dim, values, err := flood.ParseSweep(o.Sweep)
		if err != nil {
			return &FlagError{Err: err}
		}
		if err := flood.CheckSweep(floodConfig(o), dim, values); err != nil {
			return floodSettingError(err)
		}
	}
	if o.Conn.User != "" {
		if err := checkUser(o.Conn.User); err != nil {
			return invalidValue(err)
		}
	}
	return nil
}

// services resolves --services for the flood's mode.
func (o *FloodOptions) services() ([]spread.ServiceType, error) {
	return flood.ParseServices(o.Services, o.mode(), o.Members)
}

// mode is the flood's mode: --read-only, --write-only or both sides here.
func (o *FloodOptions) mode() flood.Mode {
	switch {
	case o.ReadOnly:
		return flood.ModeReadOnly
	case o.WriteOnly:
		return flood.ModeWriteOnly
	}
	return flood.ModeLocal
}

func floodRun(ctx context.Context, o *FloodOptions) (err error) {
	cfg := floodConfig(o)
	if err := checkFloodOutputs(o); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(o.CPUProfile)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := stopProfile(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if o.Agents > 0 {
		return floodAgentsRun(ctx, o, cfg)
	}
	env, pl, stopDaemons, err := floodDaemons(o, &cfg)
	if err != nil {
		return err
	}
	defer stopDaemons()
	var announce sync.Once // once the sessions are in: a daemon that is down gets its error alone
	cfg.Ready = func() { announce.Do(func() { announceFlood(o, cfg, env) }) }
	points, dim, runErr := runFlood(ctx, o, cfg)
	pl.Relabel(points)
	if runErr != nil && len(points) == 0 {
		return floodFailed(runErr)
	}
	nwarn, err := renderFlood(o, env, points, dim)
	if err != nil {
		return err
	}
	return floodOutcome(runErr, nwarn, report.Faulted(points))
}

// floodConfig translates the flags into the engine's configuration. The
// daemon is not set for an embedded run: it is chosen later.
func floodConfig(o *FloodOptions) flood.Config {
	services, _ := o.services()
	cfg := flood.Config{
		Daemon: o.Conn.Server, Group: o.Group, Services: services, Count: o.Count, Duration: o.Duration,
		Size: o.Size, Senders: o.Senders, Receivers: o.Receivers, Window: o.Window, Rate: o.Rate,
		WaitMembers: o.Members, Stall: o.Stall, Name: o.Conn.User, ReadBatch: o.ReadBatch,
		SenderDaemons: o.SendersAt, ReceiverDaemons: o.ReceiversAt,
		Options: []spread.Option{spread.WithTimeout(o.Conn.ConnectTimeout())},
	}
	if o.RTT {
		cfg.RTTEvery = o.RTTEvery
	}
	switch cfg.Mode = o.mode(); cfg.Mode {
	case flood.ModeReadOnly:
		cfg.RemoteSenders, cfg.Senders = o.Senders, 0
	case flood.ModeWriteOnly:
		cfg.Receivers = 0
	}
	return cfg
}

// floodFlags names the flag each Config field comes from.
var floodFlags = map[string]string{
	"Count": "--count", "Duration": "--duration", "Size": "--size", "Services": "--services", "Group": "--group",
	"Senders": "--senders", "RemoteSenders": "--senders", "Receivers": "--receivers", "Window": "--window", "Rate": "--rate",
	"WaitMembers": "--members", "Stall": "--stall", "RTTEvery": "--rtt-every", "Name": "--user", "ReadBatch": "--read-batch",
	"Nodes": "--nodes", "SendersAt": "--senders-at", "ReceiversAt": "--receivers-at", "Crash": "--crash",
	"Partition": "--partition",
}

// floodSettingError is the usage error for a setting the engine refuses,
// told with the flag it came from.
func floodSettingError(err error) error {
	var ce *flood.ConfigError
	if !errors.As(err, &ce) {
		return &FlagError{Err: err}
	}
	flag, ok := floodFlags[ce.Field]
	if !ok {
		flag = ce.Field
	}
	return usageErrorf("flood: %s", ce.Text(flag))
}

// startCPUProfile profiles the whole run into path (nothing when path is
// ""); the returned function stops the profile and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	pf, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := pf.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// announceFlood prints the banner (text output) and warns when the flow
// control allows more waiting messages than a real daemon keeps.
func announceFlood(o *FloodOptions, cfg flood.Config, env report.Env) {
	ios := o.Factory.IOStreams
	if o.Output == OutputText {
		var dim string
		var values []int
		if o.Sweep != "" {
			dim, values, _ = flood.ParseSweep(o.Sweep) // validate checked it
		}
		params := report.ParamsOf(cfg, dim, values)
		params.Repeat = o.Bench.Repeat
		report.Banner(ios.Out, params, env)
	}
	if !o.Embedded {
		// A real 4.4 daemon cuts off a session with 1000 messages waiting.
		if o.Window < 0 {
			fmt.Fprintln(ios.ErrOut, "note: --window -1 sends without flow control; a real daemon cuts off receivers 1000 messages behind")
		} else if n := o.Senders * o.Window; n > 1000 {
			fmt.Fprintf(ios.ErrOut, "note: --senders × --window = %d messages may wait for one receiver; a real daemon cuts it off at 1000\n", n)
		}
	}
}

// runFlood runs the sweep or the single run, with the progress bar when
// asked for. Points hold whatever finished, also when err is set.
func runFlood(ctx context.Context, o *FloodOptions, cfg flood.Config) (points []flood.Point, dim string, err error) {
	if o.Progress == "always" || (o.Progress == "auto" && o.Factory.IOStreams.IsStderrTTY()) {
		bar := report.NewProgress(o.Factory.IOStreams.ErrOut)
		defer bar.Finish()
		if next := cfg.Progress; next != nil {
			cfg.Progress = func(p flood.Progress) { next(p); bar.Update(p) }
		} else {
			cfg.Progress = bar.Update
		}
	}
	if o.Bench.Repeat > 1 {
		return runRepeated(ctx, o, cfg)
	}
	if o.Sweep != "" {
		var values []int
		dim, values, _ = flood.ParseSweep(o.Sweep)
		points, err = flood.Sweep(ctx, cfg, dim, values, nil)
		return points, dim, err
	}
	res, err := flood.Run(ctx, cfg)
	if res != nil && len(res.Services) > 0 {
		points = []flood.Point{{Size: res.Size, Receivers: res.Receivers, Results: res}}
	}
	return points, "", err
}

// renderFlood writes the results as a table or JSON, the warnings, and the
// --csv and --plot files. It returns how many warnings it printed.
func renderFlood(o *FloodOptions, env report.Env, points []flood.Point, dim string) (int, error) {
	if o.wantsBenchRender() {
		return renderBench(o, env, points, dim)
	}
	ios := o.Factory.IOStreams
	if o.Output == OutputText {
		fmt.Fprintln(ios.Out)
		report.Table(ios.Out, points, dim)
		report.DaemonTable(ios.Out, points, dim)
		report.AgentTable(ios.Out, env.Agents)
		report.RTTTable(ios.Out, points, dim)
		report.Faults(ios.Out, points)
	} else if err := report.JSON(ios.Out, report.Document{Env: env, Sweep: o.Sweep, Points: points}); err != nil {
		return 0, err
	}
	nwarn := report.Warnings(ios.ErrOut, points)
	if o.CSV != "" {
		if err := report.SaveCSV(o.CSV, points); err != nil {
			return nwarn, fmt.Errorf("--csv: %w", err)
		}
	}
	if o.Plot != "" {
		if err := plot.Save(o.Plot, points, dim); err != nil {
			return nwarn, fmt.Errorf("--plot: %w", err)
		}
	}
	return nwarn, nil
}

// floodFailed is the command's error for a run that produced no results.
func floodFailed(runErr error) error {
	if errors.Is(runErr, context.Canceled) {
		return interrupted(errors.New("flood interrupted before any service type ran"))
	}
	return connectError(runErr)
}

// floodOutcome turns a run that produced results into the command's
// error: the daemon lost mid-run, the run's own error, or warnings.
func floodOutcome(runErr error, nwarn int, faulted bool) error {
	if errors.Is(runErr, flood.ErrDaemonLost) {
		return connectionLost(runErr)
	}
	if errors.Is(runErr, context.Canceled) {
		return interrupted(errors.New("flood interrupted: the figures are partial, up to the interrupt"))
	}
	if runErr != nil {
		return runErr
	}
	if nwarn > 0 {
		return fmt.Errorf("flood: the run was disturbed or a service type broke its promise (%d warnings above)", nwarn)
	}
	if faulted {
		return faultKept(errors.New("flood: a fault (daemon crash, partition or merge) came during the run; every promise held among the survivors"))
	}
	return nil
}

// spflooderArgs lets spflooder's single-dash -ro and -wo through: pflag
// would read them as the shorthands -r -o. Only the flood command's
// arguments are rewritten.
func spflooderArgs(args []string) []string {
	if len(args) == 0 || args[0] != "flood" {
		return args
	}
	out := make([]string, len(args))
	for i, a := range args {
		switch a {
		case "-ro", "-wo":
			a = "-" + a
		case "--":
			copy(out[i:], args[i:])
			return out
		}
		out[i] = a
	}
	return out
}

// connectError tells a failed connect the way the other commands do:
// "connecting to NAME: <Spread's text> (<code>): <cause>".
func connectError(err error) error {
	var se *spread.Error
	if errors.As(err, &se) && se.Op == "connect" {
		return fmt.Errorf("connecting to %s: %w", se.Daemon, spreadErr(se))
	}
	return err
}
