package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/cli/iostreams"
)

// ListenOptions are the flags and arguments of `spgo listen`.
type ListenOptions struct {
	Factory *Factory
	Conn    ConnOptions

	Groups       []string
	Count        int
	Idle         time.Duration
	NoMembership bool
	Output       string
	Raw          bool
	Delimiter    string
	ReadyFile    string
	Quiet        bool
	Format       string // --format: a Go template over the JSON fields
	Timestamp    bool   // --timestamp: the receive time on each line
	Reconnect    ReconnectOptions

	template *eventTemplate // Format, parsed
}

// NewCmdListen builds `spgo listen`.
func NewCmdListen(f *Factory, runF func(context.Context, *ListenOptions) error) *cobra.Command {
	opts := &ListenOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "listen [GROUP...]",
		Short: "Join groups and print every message as it arrives",
		Long: `Join the groups and print every message and (unless --no-membership)
membership change as it arrives, one per line and flushed at once. With no
group, listen receives only what is sent to its private group.

The run ends after --count data messages (exit 0), when --timeout (whole run)
or --idle (gap between messages) runs out, or on SIGINT. Ending by time with
no message, or with fewer than --count, exits 4; losing the daemon exits 5.

Several daemons (-s 4803@a,4803@b or a repeated -s) are tried in order until
one answers. With --reconnect a lost daemon does not end the run: listen
connects again, starting with the next daemon of the list and pausing
between rounds that reach none (--reconnect-wait, doubling up to
--reconnect-max-wait), joins its groups again and prints a "reconnected"
event saying how long it was away and where it was and is; what was sent
in between is not received. The first connect is retried the same way,
for up to --timeout (else 10s), so listen may start before its daemon (a
CI step, a service starting in parallel); each round that reaches none is
a line on stderr, and running out of time exits 3 saying how long it
tried. A daemon that rejects the session (name not unique, version,
authentication) ends the run with exit 3 as at the start; --timeout and
--count span reconnects, and --idle restarts after one.

Readiness: once its own join of every group has come back from the daemon,
listen writes its private group name to --ready-file (if given) and a line
"spgo listen: ready ..." to stderr (unless --quiet). A script can start
listen in the background, wait for the file, and then send.`,
		Example: `  spgo listen chat
  spgo listen -o json --count 1 --timeout 5s chat
  spgo listen --raw --delimiter '\0' --no-membership chat | xargs -0 -n1 echo
  spgo listen --timestamp chat
  spgo listen --no-membership \
    --format '{{timefmt "15:04:05" .time}} {{.sender}}: {{payload .}}' chat
  spgo listen \
    --format '{{.kind}} {{if eq .kind "message"}}{{hex (payload .)}}{{else}}{{.cause}}{{end}}' chat
  spgo listen --ready-file ready chat & until [ -e ready ]; do :; done; spgo send chat -m hi
  spgo listen --reconnect -s 4803@a,4803@b -o json chat
  spgo listen --reconnect --timeout 30s chat &  # may start before its daemon`,
		ValidArgsFunction: completeGroups(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Groups = args
			readConnFlags(cmd, &opts.Conn)
			if opts.Raw && opts.Output == OutputJSON {
				return usageErrorf("--raw and -o json cannot be used together")
			}
			if opts.Timestamp && opts.Raw {
				return usageErrorf("--timestamp and --raw cannot be used together (--raw prints payload bytes only)")
			}
			if opts.Format != "" {
				if opts.Raw || cmd.Flags().Changed("output") {
					return usageErrorf("--format cannot be used with --raw or -o")
				}
				t, err := parseEventTemplate(opts.Format, !opts.NoMembership)
				if err != nil {
					return invalidValue(err)
				}
				opts.template = t
			}
			if opts.Count < 0 {
				return usageErrorf("invalid --count %d: allowed is 0 (no limit) or more", opts.Count)
			}
			d, err := unescapeDelimiter(opts.Delimiter)
			if err != nil {
				return &FlagError{Err: err}
			}
			opts.Delimiter = d
			if err := readReconnectFlags(cmd, &opts.Reconnect); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listenRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, "time limit for the whole run, connecting included (0: none; connecting alone is limited to 10s)")
	acceptServerList(cmd, "tried in order (with --reconnect, the next after a lost one first)")
	addReconnectFlags(cmd, &opts.Reconnect)
	addOutputFlag(cmd, &opts.Output)
	fl := cmd.Flags()
	fl.IntVarP(&opts.Count, "count", "c", 0, "exit 0 after this many data messages (0: no limit)")
	fl.DurationVar(&opts.Idle, "idle", 0, "end the run when nothing arrives for this long (0: no limit)")
	fl.BoolVar(&opts.NoMembership, "no-membership", false, "do not print membership changes")
	fl.BoolVar(&opts.Raw, "raw", false, "print only the payload bytes of data messages, each followed by --delimiter")
	fl.StringVar(&opts.Delimiter, "delimiter", `\n`, `what follows each payload with --raw (escapes \n \t \0 \\ \xNN)`)
	fl.StringVar(&opts.ReadyFile, "ready-file", "", "write the private group name to this file once every join is complete")
	fl.BoolVarP(&opts.Quiet, "quiet", "q", false, "no readiness line on stderr")
	fl.StringVar(&opts.Format, "format", "", formatHelp)
	fl.BoolVar(&opts.Timestamp, "timestamp", false, "put the receive time ("+TimestampLayout+") on each line (text) or in \"time\" (JSON)")
	return cmd
}

// unescapeDelimiter turns the --delimiter flag into bytes.
func unescapeDelimiter(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\':
			b.WriteByte('\\')
		case 'x':
			var v byte
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", fmt.Errorf("invalid --delimiter %q: \\x needs two hex digits", s)
			}
			fmt.Sscanf(s[i+1:i+3], "%02x", &v)
			b.WriteByte(v)
			i += 2
		default:
			return "", fmt.Errorf("invalid --delimiter %q: unknown escape \\%c (allowed \\n \\t \\r \\0 \\\\ \\xNN)", s, s[i])
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool { return strings.IndexByte("0123456789abcdefABCDEF", c) >= 0 }

func listenRun(ctx context.Context, opts *ListenOptions) error {
	ctx, cancel := opts.Conn.runContext(ctx)
	defer cancel()
	ios := opts.Factory.IOStreams
	notice := func(line string) {
		if !opts.Quiet {
			fmt.Fprintf(ios.ErrOut, "spgo listen: %s\n", line)
		}
	}
	s, err := joinSurviving(ctx, opts.Factory, &opts.Conn, opts.Reconnect, opts.Groups, notice)
	if err != nil {
		return err // a connect that ran out of time is "could not connect", like every command's
	}
	defer s.Disconnect()
	p := newPrinter(ios, opts.Output, opts.Raw, opts.Delimiter)
	p.tmpl, p.untrusted = opts.template, ios.IsStdoutTTY()
	stamp := opts.Timestamp || opts.template != nil // templates always see .time
	ready := func() error {
		if err := s.writeReadyFile(opts.ReadyFile); err != nil {
			return err
		}
		if !opts.Quiet {
			fmt.Fprintf(opts.Factory.IOStreams.ErrOut, "spgo listen: ready as %s in %s\n", s.me, groupList(opts.Groups))
		}
		return nil
	}
	if s.joined() {
		if err := ready(); err != nil {
			return err
		}
	}
	received := 0
	for {
		rctx, cancel := ctx, context.CancelFunc(func() {})
		if opts.Idle > 0 {
			rctx, cancel = context.WithTimeout(ctx, opts.Idle)
		}
		e, err := s.Receive(rctx)
		cancel()
		if warnSkipped(opts.Factory, err) {
			continue
		}
		if err == nil && stamp {
			e.Received = opts.Factory.Now()
		}
		if err != nil {
			if ctx.Err() == nil && rctx.Err() == nil {
				return lost(err)
			}
			return listenEnd(ctx, opts, received)
		}
		if e.Kind == KindReconnected && opts.Raw {
			notice(e.textLine(iostreams.NoColorScheme())) // raw output has room for payloads only
		} else if err := printOrWarn(opts.Factory, p, e, e.Kind == KindReconnected || !opts.NoMembership); err != nil {
			return err
		}
		if e.Kind == KindReconnected || s.ownJoin(e) {
			if s.joined() {
				if err := ready(); err != nil {
					return err
				}
			}
			continue
		}
		if e.Kind == KindMessage {
			received++
			if opts.Count > 0 && received >= opts.Count {
				return nil
			}
		}
	}
}

// printOrWarn prints e; a --format template that fails on this one event
// is a warning on stderr, and listening goes on.
func printOrWarn(f *Factory, p *printer, e *event, withMembership bool) error {
	err := p.print(e, withMembership)
	var te *templateError
	if errors.As(err, &te) {
		fmt.Fprintf(f.IOStreams.ErrOut, "spgo: warning: %s\n", oneLine(te.Error()))
		return nil
	}
	return err
}

// listenEnd decides the exit of a run that ended by time or signal.
func listenEnd(ctx context.Context, opts *ListenOptions, received int) error {
	interrupted := ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded)
	switch {
	case opts.Count > 0 && received < opts.Count:
		return timedOut(fmt.Errorf("received %d of %d messages before %s", received, opts.Count, endReason(ctx, interrupted)))
	case opts.Count == 0 && received == 0 && !interrupted:
		return timedOut(fmt.Errorf("no message received before %s", endReason(ctx, interrupted)))
	}
	return nil
}

func endReason(ctx context.Context, interrupted bool) string {
	switch {
	case interrupted:
		return "the interrupt"
	case ctx.Err() != nil:
		return "the timeout"
	}
	return "the idle timeout"
}

func groupList(groups []string) string {
	if len(groups) == 0 {
		return "no group"
	}
	return strings.Join(groups, " ")
}
