package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/replay"
	"github.com/spgo/spgo/pkg/tap"
)

// ReplayOptions are the flags of `spgo replay`.
type ReplayOptions struct {
	Factory *Factory
	Conn    ConnOptions // -s: the daemon to play against
	File    string

	AsDaemon  bool
	Listen    string
	SocketDir string
	NoUnix    bool
	ReadyFile string
	Timeout   time.Duration
	Pause     time.Duration
}

// NewCmdReplay builds `spgo replay`.
func NewCmdReplay(f *Factory, runF func(context.Context, *ReplayOptions) error) *cobra.Command {
	opts := &ReplayOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "replay FILE",
		Short: "Play a recorded conversation against a daemon, or as the daemon",
		Long: `Play a recording (spgo tap --record, or the capture format of spgo's
testdata/captures) and check every answer byte for byte.

With -s DAEMON it plays the client side: it opens the recorded connections,
writes what the clients wrote, in the recorded order, and compares what the
daemon answers with what the recorded daemon answered, leaving out only what
a daemon legitimately chooses: the group-id time of membership messages, and
private group names (the daemon's own name, and the names it invents for
clients that give none). It stops at the first difference and prints both
frames decoded; exit 6.

With --as-daemon --listen PORT it plays the daemon's side instead: the
clients that connect (TCP 127.0.0.1:PORT or HOST:PORT, and the unix socket
SOCKET-DIR/PORT) get the recorded daemon's answers, in the order the
recording opened its connections, and every unit they send is checked
against the recorded one. So a client library can be tested against a real
daemon's behaviour with no daemon running.`,
		Example: `  spgo tap -s 4803 --listen 4804 --record chat.txt   # record, then:
  spgo replay chat.txt -s 4803
  spgo replay chat.txt --as-daemon --listen 4805      # then run the client against -s 4805`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			readConnFlags(cmd, &opts.Conn)
			opts.File = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return replayRun(cmd.Context(), opts)
		},
	}
	addServerFlag(cmd, f, &opts.Conn)
	fl := cmd.Flags()
	fl.BoolVar(&opts.AsDaemon, "as-daemon", false, "play the daemon's side to the clients that connect to --listen")
	fl.StringVar(&opts.Listen, "listen", "", "with --as-daemon: PORT (127.0.0.1 and the unix socket) or PORT@HOST")
	fl.StringVar(&opts.SocketDir, "socket-dir", tap.DefaultSocketDir, "with --as-daemon: directory of the unix socket PORT")
	fl.BoolVar(&opts.NoUnix, "no-unix", false, "with --as-daemon: do not listen on a unix socket")
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "with --as-daemon: write PORT@HOST to this file once listening")
	fl.DurationVar(&opts.Timeout, "timeout", 10*time.Second, "longest wait for one recorded unit (0: no limit)")
	fl.DurationVar(&opts.Pause, "pause", replay.DefaultPause, "pause after each write, so the daemon acts on it before the next")
	return cmd
}

func replayRun(ctx context.Context, o *ReplayOptions) error {
	if o.AsDaemon != (o.Listen != "") {
		return usageErrorf("--as-daemon and --listen PORT go together")
	}
	if o.Timeout < 0 || o.Pause < 0 {
		return usageErrorf("--timeout and --pause cannot be negative")
	}
	rec, err := replay.Load(o.File)
	if err != nil {
		return invalidValue(err)
	}
	pause := o.Pause
	if pause == 0 {
		pause = -1 // replay's "none"
	}
	opts := replay.Options{Daemon: o.Conn.Server, Timeout: o.Timeout, Pause: pause}
	var res replay.Result
	if o.AsDaemon {
		res, err = replayAsDaemon(ctx, o, rec, opts)
	} else {
		res, err = replay.Client(ctx, rec, opts)
	}
	return o.report(rec, res, err)
}

// report prints the outcome: a summary, or the difference with both frames.
func (o *ReplayOptions) report(rec *replay.Recording, res replay.Result, err error) error {
	out := o.Factory.IOStreams.Out
	var diff *replay.Difference
	switch {
	case errors.As(err, &diff):
		fmt.Fprintln(out, diff.Detail())
		return checkFailed(err)
	case errors.Is(err, replay.ErrDial):
		return connectFailed(err)
	case errors.Is(err, context.Canceled):
		return interrupted(err)
	case err != nil:
		return err
	}
	fmt.Fprintf(out, "%s: %d %s, %d %s written, %d %s compared: no difference\n", rec.Name(),
		res.Conns, english.Plural(res.Conns, "connection", "connections"), res.Sent, english.Plural(res.Sent, "unit", "units"),
		res.Compared, english.Plural(res.Compared, "unit or close", "units and closes"))
	return nil
}

// replayAsDaemon listens as a daemon would and plays the recording's
// daemon side to the clients.
func replayAsDaemon(ctx context.Context, o *ReplayOptions, rec *replay.Recording, opts replay.Options) (replay.Result, error) {
	if _, _, err := tap.ParseListen(o.Listen); err != nil {
		return replay.Result{}, usageErrorf("invalid --listen %q: allowed are PORT or PORT@HOST, PORT in 0..65535", o.Listen)
	}
	ln, err := tap.Listen(o.Listen, o.SocketDir, o.NoUnix)
	if err != nil {
		return replay.Result{}, invalidValue(fmt.Errorf("--listen: %w", err))
	}
	defer ln.Close()
	if o.ReadyFile != "" {
		if err := writeFileAtomic(o.ReadyFile, []byte(ln.SpreadName()+"\n")); err != nil {
			return replay.Result{}, err
		}
	}
	return replay.Daemon(ctx, rec, opts, ln.Listeners()...)
}
