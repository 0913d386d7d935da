package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/tap"
)

// TapOptions are the flags of `spgo tap`.
type TapOptions struct {
	Factory *Factory
	Conn    ConnOptions // -s: the daemon

	Listen    string
	SocketDir string
	NoUnix    bool
	Output    string
	Format    string
	Sessions  []string
	Groups    []string
	Record    string
	ReadyFile string

	Delay, Jitter, Stall time.Duration
	StallAfter, CutAfter int
	Direction            string

	Nice int
}

// Values of --direction.
var tapDirections = []string{"both", "to-daemon", "to-client"}

// NewCmdTap builds `spgo tap`.
func NewCmdTap(f *Factory, runF func(context.Context, *TapOptions) error) *cobra.Command {
	opts := &TapOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "tap --listen PORT",
		Short: "Show, record and disturb what clients and a daemon say to each other",
		Long: `Run a transparent proxy in front of a daemon: clients connect to PORT as
they would to the daemon (TCP 127.0.0.1:PORT, or HOST:PORT with --listen
PORT@HOST, and the unix socket SOCKET-DIR/PORT, so "PORT" and
"PORT@127.0.0.1" both work), and every connection is forwarded to the daemon
-s names, every byte unchanged unless a fault says otherwise.

Every frame of every session is printed as it passes, one line each: time,
connection number, direction (C>D client to daemon, D>C daemon to client),
session (the private group once the daemon named it), and the frame decoded:
connect, auth offer and choice, accept, version, private group, join, leave,
kill, data (service, sender, groups, message type, size, the start of the
payload with control bytes escaped), membership (cause, group, group id,
members, VS sets; * marks the local one), transition, self-leave, reject,
and bytes the decoder could not read, in hex. --sessions and --groups select
what is shown; -o json prints one object per frame; --format takes a template
over those objects' fields.

--record FILE writes every session, whatever the filters show, in the
capture format of spgo's testdata/captures; spgo replay plays it back.

Faults disturb the sessions the filters select, in --direction: --delay (and
--jitter) holds bytes back, --stall-after N --stall D forwards nothing for D
after the N-th frame, --cut-after N closes both sides after the N-th frame.
Frames are counted in the faulted direction, among those the filters select.

A daemon that is down closes each client's connection (printed as a close
line) and the tap goes on serving. SIGINT or SIGTERM stops it; exit 0.

The tap runs on one processor unless the GOMAXPROCS environment variable
is set: its work per chunk is short, and waking another thread for it
costs more than the work. On Linux it also lowers its CPU priority to
--nice (5): on a machine with few cores it then takes processor time from
the daemon and the clients it watches only when they leave some, where at
their priority it would compete with the daemon it is meant to observe.`,
		Example: `  spgo tap -s 4803 --listen 4804               # clients use -s 4804
  spgo tap -s 4803 --listen 4804 -o json --groups chat
  spgo tap -s 4803 --listen 4804 --record chat.txt   # then: spgo replay chat.txt -s 4803
  spgo tap -s 4803 --listen 4804 --delay 20ms --jitter 5ms --direction to-client
  spgo tap -s 4803 --listen 4804 --sessions alice --cut-after 10`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			readConnFlags(cmd, &opts.Conn)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return tapRun(cmd.Context(), opts)
		},
	}
	addServerFlag(cmd, f, &opts.Conn)
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "", "where clients connect: PORT (127.0.0.1 and the unix socket) or PORT@HOST")
	fl.StringVar(&opts.SocketDir, "socket-dir", tap.DefaultSocketDir, "directory of the unix socket PORT")
	fl.BoolVar(&opts.NoUnix, "no-unix", false, "do not listen on a unix socket")
	addOutputFlag(cmd, &opts.Output)
	fl.StringVar(&opts.Format, "format", "", tapFormatHelp)
	fl.StringSliceVar(&opts.Sessions, "sessions", nil, "show and disturb only these sessions (private names or groups, comma-separated)")
	fl.StringSliceVar(&opts.Groups, "groups", nil, "show and count only messages that name one of these groups")
	fl.StringVar(&opts.Record, "record", "", "write every session to FILE in the capture format")
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "write the tap's name (PORT@HOST) to this file once it listens")
	fl.DurationVar(&opts.Delay, "delay", 0, "hold every chunk back this long (fault)")
	fl.DurationVar(&opts.Jitter, "jitter", 0, "add up to this much to each --delay, keeping the byte order")
	fl.IntVar(&opts.StallAfter, "stall-after", 0, "after this many frames, forward nothing for --stall (fault)")
	fl.DurationVar(&opts.Stall, "stall", 0, "how long --stall-after stops forwarding")
	fl.IntVar(&opts.CutAfter, "cut-after", 0, "close both sides of a session after this many frames (fault)")
	fl.Var(newEnumValue(&opts.Direction, "both", tapDirections...), "direction", "direction the faults apply to and count frames in: both, to-daemon or to-client")
	fl.IntVar(&opts.Nice, "nice", defaultTapNice, "run at this niceness, 0..19, so the daemon and its clients come first on a busy machine (0: as started; Linux)")
	_ = cmd.MarkFlagRequired("listen")
	_ = cmd.MarkFlagDirname("socket-dir")
	_ = cmd.MarkFlagFilename("record")
	return cmd
}

// tapConfig turns the flags into a tap.Config, refusing combinations that
// mean nothing.
func (o *TapOptions) tapConfig() (tap.Config, error) {
	cfg := tap.Config{Daemon: o.Conn.Server, Listen: o.Listen, SocketDir: o.SocketDir, NoUnixSocket: o.NoUnix,
		Sessions: o.Sessions, Groups: o.Groups,
		Faults: tap.Faults{Delay: o.Delay, Jitter: o.Jitter, StallAfter: o.StallAfter, Stall: o.Stall, CutAfter: o.CutAfter}}
	switch o.Direction {
	case "to-daemon":
		cfg.Faults.Direction = tap.ClientToDaemon
	case "to-client":
		cfg.Faults.Direction = tap.DaemonToClient
	}
	switch {
	case o.Delay < 0 || o.Jitter < 0 || o.Stall < 0:
		return cfg, usageErrorf("--delay, --jitter and --stall cannot be negative")
	case o.StallAfter < 0 || o.CutAfter < 0:
		return cfg, usageErrorf("--stall-after and --cut-after cannot be negative")
	case (o.StallAfter > 0) != (o.Stall > 0):
		return cfg, usageErrorf("--stall-after N and --stall D go together: give both or neither")
	case o.Format != "" && o.Output != OutputText:
		return cfg, usageErrorf("--format cannot be used with -o")
	case o.Nice < 0 || o.Nice > 19:
		return cfg, usageErrorf("--nice %d: allowed are 0 (the priority it was started with) to 19", o.Nice)
	}
	if _, _, err := tap.ParseListen(o.Listen); err != nil {
		return cfg, usageErrorf("invalid --listen %q: allowed are PORT or PORT@HOST, PORT in 0..65535", o.Listen)
	}
	return cfg, nil
}

func tapRun(ctx context.Context, o *TapOptions) error {
	cfg, err := o.tapConfig()
	if err != nil {
		return err
	}
	p, err := newFramePrinter(o.Factory.IOStreams.Out, o.Output, o.Format)
	if err != nil {
		return err
	}
	cfg.OnFrameView = p.print
	tapProcessors()
	if o.Nice > 0 {
		if err := lowerPriority(o.Nice); err != nil {
			fmt.Fprintf(o.Factory.IOStreams.ErrOut, "note: --nice %d: %v; the tap runs at the priority it was started with\n", o.Nice, err)
		}
	}
	p.start()
	defer p.stop(io.Discard) // on the paths that return early
	if o.Record != "" {
		rec, err := os.Create(o.Record)
		if err != nil {
			return invalidValue(fmt.Errorf("--record: %w", err))
		}
		defer rec.Close()
		cfg.Record = rec
	}
	t, err := tap.Start(cfg)
	if err != nil {
		return tapStartFailed(err)
	}
	if o.ReadyFile != "" {
		if err := writeFileAtomic(o.ReadyFile, []byte(t.SpreadName()+"\n")); err != nil {
			t.Close()
			return err
		}
	}
	<-ctx.Done()
	if err := t.Close(); err != nil {
		return fmt.Errorf("--record: %w", err)
	}
	return p.stop(o.Factory.IOStreams.ErrOut)
}

// tapStartFailed: a port or socket in use, or a bad value, is a usage
// error (exit 2), as for spgo daemon.
func tapStartFailed(err error) error {
	var ce *tap.ConfigError
	if errors.As(err, &ce) || errors.Is(err, tap.ErrPortInUse) || errors.Is(err, tap.ErrSocketInUse) {
		return invalidValue(err)
	}
	return err
}

// defaultTapNice is the niceness the tap lowers itself to. On two cores,
// through a tap at the shell's priority a flood to a real Spread daemon
// over the Unix socket ran at 0.82x direct, at niceness 5 at 0.98x, at 10
// at 1.10x; to spgo's daemon, where the tap itself is the limit, 5 was as
// fast as the shell's priority and 10 a little slower (12-16 interleaved
// rounds). 5 keeps both.
const defaultTapNice = 5

// tapProcessors runs the tap on one processor unless GOMAXPROCS says
// otherwise. Per chunk the tap's work is short: with one processor, a pump
// the network wakes runs on the thread that polled it, instead of waking
// another thread, which costs more than decoding the chunk.
func tapProcessors() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
