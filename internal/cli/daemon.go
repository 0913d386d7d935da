package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/daemon"
)

// DaemonOptions are the flags of `spgo daemon`.
type DaemonOptions struct {
	Factory *Factory

	Host        string
	Port        int
	SocketDir   string
	NoUnix      bool
	NoTCP       bool
	Name        string
	MaxSessions int
	MaxQueue    int
	LogLevel    string
	ReadyFile   string
	HTTP        string // --http ADDR: /healthz, /metrics, /status (daemon_http.go)
	NoMonitor   bool   // --no-monitor: no UDP status answers (daemon_statusudp.go)

	// A ring of nodes in one process (daemon_ring.go).
	Nodes       int
	Names       []string
	CtlPath     string
	FaultTiming string // --fault-timing: instant or spread

	// Start starts the daemon (tests may substitute).
	Start func(daemon.Config) (*daemon.Daemon, error)
}

var logLevels = []string{"debug", "info", "warn", "error"}

// NewCmdDaemon builds `spgo daemon`.
func NewCmdDaemon(f *Factory, runF func(context.Context, *DaemonOptions) error) *cobra.Command {
	opts := &DaemonOptions{Factory: f, Start: daemon.Start}
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "Run the embedded Spread daemon",
		Long: `Run a single-node Spread daemon that speaks the Spread 4.4 client protocol:
libspread programs (spuser, spflooder) and spgo connect to it. It listens on
TCP HOST:PORT and on the unix socket SOCKET-DIR/PORT (what a bare "PORT"
daemon name means). Logs go to stderr. SIGINT or SIGTERM stops it cleanly:
every client sees its connection close, and the exit code is 0.

With --nodes N it runs a ring of N daemons d1..dN in one process instead (a
test double of a Spread ring: one sequencer, no protocol between the nodes):
node K listens on 127.0.0.K:PORT and on its own unix socket, the addresses
are printed on stdout, and "spgo daemon ctl" crashes, partitions, heals and
restarts nodes through the control socket SOCKET-DIR/spgo-ring-PORT.ctl.

It answers the status query of Spread's monitor protocol on UDP HOST:PORT
(each node on its own), so spmonitor and spgo monitor can watch it
(--no-monitor turns that off; other monitor commands are ignored and
logged). --http ADDR serves /healthz, /metrics (Prometheus) and /status
(JSON: sessions, groups and members).`,
		Example: `  spgo daemon                          # 127.0.0.1:4803 and /tmp/4803
  spgo daemon --port 4913 --name d1    # clients: -s 4913 or -s 4913@127.0.0.1
  spgo daemon --port 0 --socket-dir "$TMPDIR" --ready-file d.name
  spgo daemon --nodes 3                # d1..d3 on 127.0.0.1..3:4803; then: spgo daemon ctl crash d3
  spgo daemon --nodes 3 --fault-timing spread   # faults told as late as a real ring tells them
  spgo daemon --http :9464 & curl -s localhost:9464/metrics`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.checkCounts(cmd.Flags().Changed("nodes")); err != nil {
				return daemonError(err)
			}
			if err := opts.checkFaultTiming(cmd.Flags().Changed("fault-timing")); err != nil {
				return daemonError(err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return daemonError(daemonRun(cmd.Context(), opts))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Host, "host", daemon.DefaultHost, "TCP listen address (0.0.0.0 for every interface)")
	fl.StringVar(&opts.Host, "listen", daemon.DefaultHost, "alias of --host")
	fl.IntVar(&opts.Port, "port", daemon.DefaultPort, "TCP port and unix socket name (0: a free port)")
	fl.StringVar(&opts.SocketDir, "socket-dir", daemon.DefaultSocketDir, "directory of the unix socket PORT")
	fl.BoolVar(&opts.NoUnix, "no-unix", false, "do not listen on a unix socket")
	fl.BoolVar(&opts.NoTCP, "no-tcp", false, "do not listen on TCP")
	fl.StringVar(&opts.Name, "name", "", "daemon name that ends private group names, 1-19 chars (default: host name)")
	fl.IntVar(&opts.MaxSessions, "max-sessions", daemon.DefaultMaxSessions, "most client sessions at once (1 or more)")
	fl.IntVar(&opts.MaxQueue, "max-queue", daemon.DefaultMaxSessionMessages, "messages that may wait for one session before it is cut off as a slow consumer (1 or more)")
	fl.Var(newEnumValue(&opts.LogLevel, "info", logLevels...), "log-level", "log level: debug, info, warn or error")
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "write the daemon's name (PORT@HOST) to this file once it listens")
	fl.StringVar(&opts.HTTP, "http", "", "serve /healthz, /metrics (Prometheus) and /status (JSON) on ADDR: PORT or :PORT is loopback, HOST:PORT as given (default off)")
	fl.BoolVar(&opts.NoMonitor, "no-monitor", false, "do not answer Spread's monitor status query (spmonitor, spgo monitor) on UDP HOST:PORT")
	addRingFlags(cmd, opts)
	cmd.AddCommand(NewCmdDaemonCtl(f, nil))
	_ = cmd.RegisterFlagCompletionFunc("log-level", cobra.FixedCompletions(logLevels, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("socket-dir")
	return cmd
}

// checkCounts refuses counts the daemon cannot use. On the command line 0
// is not "the default" (as it is in daemon.Config): the default is what
// the help shows. nodesGiven says whether --nodes was given at all.
func (opts *DaemonOptions) checkCounts(nodesGiven bool) error {
	switch {
	case opts.Port < 0 || opts.Port > 65535:
		return invalidValue(fmt.Errorf("invalid --port %d: allowed is 0..65535 (0: a free port)", opts.Port))
	case opts.MaxSessions < 1:
		return invalidValue(fmt.Errorf("invalid --max-sessions %d: allowed is 1 or more (default %d)", opts.MaxSessions, daemon.DefaultMaxSessions))
	case opts.MaxQueue < 1:
		return invalidValue(fmt.Errorf("invalid --max-queue %d: allowed is 1 or more (default %d)", opts.MaxQueue, daemon.DefaultMaxSessionMessages))
	case nodesGiven || opts.Nodes != 0:
		return checkNodes(opts.Nodes)
	}
	return nil
}

func daemonRun(ctx context.Context, opts *DaemonOptions) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(opts.LogLevel)); err != nil {
		return usageErrorf("invalid --log-level %q: allowed are %s", opts.LogLevel, strings.Join(logLevels, ", "))
	}
	if opts.NoTCP && opts.NoUnix {
		return invalidValue(errors.New("--no-tcp and --no-unix together leave nothing to listen on: drop one"))
	}
	logger := slog.New(slog.NewTextHandler(opts.Factory.IOStreams.ErrOut, &slog.HandlerOptions{Level: level}))
	web, err := openDaemonHTTP(opts.HTTP, logger)
	if err != nil {
		return err
	}
	defer web.close()
	if opts.Nodes != 0 || len(opts.Names) != 0 {
		return daemonRingRun(ctx, opts, logger, web)
	}
	cfg := opts.nodeConfig(logger)
	cfg.Name, cfg.Host = opts.Name, opts.Host
	d, err := opts.Start(cfg)
	if err != nil {
		return daemonStartFailed(err)
	}
	err = opts.serveUntilDone(ctx, logger, web, []*daemon.Daemon{d}, nil, func() {})
	if cerr := d.Close(); err == nil && cerr != nil {
		return fmt.Errorf("stopping the daemon: %w", cerr)
	}
	return err
}

// serveUntilDone makes the started nodes answer the monitor status query
// (unless --no-monitor) and --http, lets announce print their addresses,
// writes --ready-file (one daemon name a line), and waits for ctx; ring is
// the nodes of their ring, nil for a daemon alone. The caller stops the
// nodes once it returns.
func (opts *DaemonOptions) serveUntilDone(ctx context.Context, logger *slog.Logger, web *daemonHTTP,
	nodes []*daemon.Daemon, ring func() []*daemon.Daemon, announce func()) error {
	if !opts.NoMonitor {
		mon, err := startMonitorUDP(nodes, ring, logger)
		if err != nil {
			return err
		}
		defer mon.Close()
	}
	if ring == nil {
		ring = func() []*daemon.Daemon { return nodes }
	}
	web.serve(ring)
	announce()
	if opts.ReadyFile != "" {
		var names strings.Builder
		for _, d := range nodes {
			names.WriteString(d.SpreadName() + "\n")
		}
		if err := writeFileAtomic(opts.ReadyFile, []byte(names.String())); err != nil {
			return err
		}
	}
	<-ctx.Done()
	logger.Info("stopping", "reason", context.Cause(ctx))
	web.stopping()
	return nil
}

// nodeConfig is the daemon configuration the flags give every node: all but
// the name and host, which a ring chooses per node.
func (opts *DaemonOptions) nodeConfig(logger *slog.Logger) daemon.Config {
	return daemon.Config{
		Port:               opts.Port,
		SocketDir:          opts.SocketDir,
		NoUnixSocket:       opts.NoUnix,
		NoTCP:              opts.NoTCP,
		MaxSessions:        opts.MaxSessions,
		MaxSessionMessages: opts.MaxQueue,
		Logger:             logger,
	}
}
