package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/ringctl"
)

// `spgo daemon --nodes N`: a ring of N daemons in one process (a test
// double of a Spread ring, see pkg/daemon), driven by `spgo daemon ctl`.

func addRingFlags(cmd *cobra.Command, opts *DaemonOptions) {
	fl := cmd.Flags()
	fl.IntVar(&opts.Nodes, "nodes", 0, fmt.Sprintf("run a ring of this many daemons d1..dN in one process (1..%d), node K on 127.0.0.K:PORT", daemon.MaxRingNodes))
	fl.StringSliceVar(&opts.Names, "names", nil, "daemon names of the ring's nodes, comma-separated (default d1..dN)")
	fl.StringVar(&opts.CtlPath, "ctl", "", "control socket of the ring (default SOCKET-DIR/spgo-ring-PORT.ctl)")
	fl.StringVar(&opts.FaultTiming, "fault-timing", "instant", "when a ring's members hear of a fault: instant, or spread (as late as a real Spread 4.4 ring: 3 s after a crash, partition or freeze, 1.75 s after a thaw or restart, 30 s after a heal)")
	_ = cmd.RegisterFlagCompletionFunc("fault-timing", cobra.FixedCompletions(faultTimings, cobra.ShellCompDirectiveNoFileComp))
}

// faultTimings are the values of --fault-timing.
var faultTimings = []string{"instant", "spread"}

// checkFaultTiming refuses a --fault-timing the ring does not know, and
// one given to a daemon that is not a ring (it has no faults).
func (opts *DaemonOptions) checkFaultTiming(given bool) error {
	switch {
	case opts.FaultTiming != "instant" && opts.FaultTiming != "spread":
		return invalidValue(fmt.Errorf("invalid --fault-timing %s: allowed is instant (faults are told at once) or spread (as late as a real Spread 4.4 ring tells them)", opts.FaultTiming))
	case given && opts.Nodes == 0 && len(opts.Names) == 0:
		return invalidValue(errors.New("--fault-timing needs --nodes: a single daemon has no faults to time"))
	}
	return nil
}

// timing is the ring's FaultTiming that --fault-timing names.
func (opts *DaemonOptions) timing() daemon.FaultTiming {
	if opts.FaultTiming == "spread" {
		return daemon.SpreadTiming()
	}
	return daemon.FaultTiming{}
}

// checkNodes refuses a ring size the real daemon could not have.
func checkNodes(n int) error {
	if n < 1 || n > daemon.MaxRingNodes {
		return invalidValue(fmt.Errorf("invalid --nodes %d: allowed is 1..%d (the real daemon's limit of daemons in one ring)", n, daemon.MaxRingNodes))
	}
	return nil
}

// daemonRingRun runs a ring until ctx ends, printing every node's address.
func daemonRingRun(ctx context.Context, opts *DaemonOptions, logger *slog.Logger, web *daemonHTTP) error {
	if opts.Name != "" {
		return invalidValue(errors.New("--name cannot be used with --nodes: the nodes are d1..dN, or --names"))
	}
	if opts.Host != daemon.DefaultHost {
		return invalidValue(fmt.Errorf("--host %s cannot be used with --nodes: node K listens on 127.0.0.K (loopback only)", opts.Host))
	}
	if opts.Nodes != 0 {
		if err := checkNodes(opts.Nodes); err != nil {
			return err
		}
	}
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: opts.Nodes, Names: opts.Names, Node: opts.nodeConfig(logger), Timing: opts.timing()})
	if err != nil {
		return daemonStartFailed(err)
	}
	defer r.Close()
	nodes := r.Nodes()
	ctl := opts.CtlPath
	if ctl == "" {
		ctl = ringctl.DefaultPath(opts.SocketDir, nodes[0].Port())
	}
	cs, err := ringctl.Serve(r, ctl)
	if errors.Is(err, daemon.ErrSocketInUse) {
		return invalidValue(fmt.Errorf("%w (another ring's control socket: choose --ctl or another --port)", err))
	}
	if err != nil {
		return err
	}
	defer cs.Close()
	err = opts.serveUntilDone(ctx, logger, web, nodes, r.Nodes, func() {
		w := tabwriter.NewWriter(opts.Factory.IOStreams.Out, 0, 0, 2, ' ', 0)
		for _, d := range nodes {
			unix := d.UnixPath()
			if unix == "" {
				unix = "-"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", d.Name(), d.SpreadName(), unix)
		}
		w.Flush()
		fmt.Fprintf(opts.Factory.IOStreams.Out, "control %s\n", cs.Path())
	})
	cs.Close()
	if cerr := r.Close(); err == nil && cerr != nil {
		return fmt.Errorf("stopping the ring: %w", cerr)
	}
	return err
}

// daemonError is an error of spgo daemon or spgo daemon ctl: every one
// starts "daemon: ", once, as pkg/daemon's own errors do. A silent error
// (the command said what happened) stays silent; nil stays nil.
func daemonError(err error) error {
	if err == nil || isSilent(err) || strings.HasPrefix(err.Error(), "daemon: ") {
		return err
	}
	return &prefixedError{prefix: "daemon: ", err: err}
}

// prefixedError is err's message after a command's prefix.
type prefixedError struct {
	prefix string
	err    error
}

func (e *prefixedError) Error() string { return e.prefix + e.err.Error() }
func (e *prefixedError) Unwrap() error { return e.err }

// DaemonCtlOptions are the flags of `spgo daemon ctl`.
type DaemonCtlOptions struct {
	Factory   *Factory
	CtlPath   string
	Port      int
	SocketDir string
	Args      []string
}

// daemonCtlLong is the help of `spgo daemon ctl`.
const daemonCtlLong = `Drive the faults of a ring started with spgo daemon --nodes N, through its
control socket (owner-only, SOCKET-DIR/spgo-ring-PORT.ctl unless --ctl):

  crash NODE        stop NODE as a crashing daemon stops: its clients are cut,
                    members elsewhere get TRANSITION_MESS and the network view
  restart NODE      start a crashed NODE again (it comes back with no groups)
  freeze NODE       stop NODE as a stopped process (SIGSTOP) stops: it reads
                    and writes nothing, its clients' messages wait; the
                    others see it go as in a partition, it sees nothing
  thaw NODE         wake a frozen NODE: its members get TRANSITION_MESS,
                    everyone the merge view, then what it had waiting
  partition SPEC    split the ring, e.g. d1,d2/d3 (every node exactly once);
                    each component goes on alone, messages do not cross
  heal              end the partition: the merge view, one vs set per side
  hold              make the next fault wait after its immediate effect
                    (a crashed node's clients are cut, nobody is told)
  step              tell a held fault's next part: first TRANSITION_MESS
                    (what is sent then is delivered in the transitional
                    configuration), then the network view
  status            print the layout

Each command prints the ring's layout after it: components in the partition
syntax (as far as the members have been told: with spgo daemon --fault-timing
spread they hear of a fault seconds later, as on a real ring), then
crashed=NODE,..., frozen=NODE,... and held=next|unnoticed|transitional while
a fault is held. Unknown nodes, a partition that leaves a node out or names
one twice, a fault a node's state does not allow (freezing a crashed node,
thawing a running one) and a ring that is not running are refused with one
line and exit code 2; nothing changes.`

// NewCmdDaemonCtl builds `spgo daemon ctl`.
func NewCmdDaemonCtl(f *Factory, runF func(context.Context, *DaemonCtlOptions) error) *cobra.Command {
	opts := &DaemonCtlOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "ctl COMMAND [ARG]",
		Short: "Crash, partition, heal, freeze or restart nodes of a running spgo daemon --nodes N",
		Long:  daemonCtlLong,
		Example: `  spgo daemon --nodes 3 &
  spgo daemon ctl crash d3
  spgo daemon ctl restart d3
  spgo daemon ctl partition d1,d2/d3
  spgo daemon ctl heal
  spgo daemon ctl freeze d2; spgo daemon ctl thaw d2
  spgo daemon ctl hold; spgo daemon ctl crash d3; spgo daemon ctl step; spgo daemon ctl step`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usageErrorf("daemon: ctl needs a COMMAND: %s", ringctl.Usage)
			case len(args) > 2:
				return usageErrorf("daemon: ctl got %d arguments: a COMMAND takes at most one ARG", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return daemonError(daemonCtlRun(opts))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.CtlPath, "ctl", "", "control socket (default SOCKET-DIR/spgo-ring-PORT.ctl)")
	fl.IntVar(&opts.Port, "port", daemon.DefaultPort, "the ring's port, to find its control socket")
	fl.StringVar(&opts.SocketDir, "socket-dir", daemon.DefaultSocketDir, "the ring's socket directory, to find its control socket")
	_ = cmd.MarkFlagDirname("socket-dir")
	cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return ringctl.Commands(), cobra.ShellCompDirectiveNoFileComp
		case 1:
			return completeCtlNodes(opts, args[0], toComplete)
		}
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return cmd
}

// ctlPath is the control socket the flags name.
func (opts *DaemonCtlOptions) ctlPath() string {
	if opts.CtlPath != "" {
		return opts.CtlPath
	}
	return ringctl.DefaultPath(opts.SocketDir, opts.Port)
}

// completeCtlNodes offers the running ring's node names for command's
// argument (ringctl.Layout.Complete), asking the ring for its layout. No
// ring, no offers.
func completeCtlNodes(opts *DaemonCtlOptions, command, toComplete string) ([]string, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp
	reply, err := ringctl.Send(opts.ctlPath(), "status")
	if err != nil {
		return nil, none
	}
	l, err := ringctl.ParseLayout(reply)
	if err != nil {
		return nil, none
	}
	offers, more := l.Complete(command, toComplete)
	if more {
		return offers, none | cobra.ShellCompDirectiveNoSpace
	}
	return offers, none
}

func daemonCtlRun(opts *DaemonCtlOptions) error {
	reply, err := ringctl.Send(opts.ctlPath(), strings.Join(opts.Args, " "))
	var fe *daemon.FaultError
	if errors.As(err, &fe) || errors.Is(err, ringctl.ErrNoRing) {
		return ringRefused(err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.Factory.IOStreams.Out, reply)
	return nil
}
