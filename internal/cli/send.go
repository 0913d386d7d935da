package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/english"
)

// SendOptions are the flags and arguments of `spgo send`.
type SendOptions struct {
	Factory *Factory
	Conn    ConnOptions

	Groups      []string
	Message     string
	MessageSet  bool
	File        string
	Lines       bool
	Service     string
	MsgType     int16
	SelfDiscard bool
	Repeat      int
	Verbose     bool
}

// NewCmdSend builds `spgo send`.
func NewCmdSend(f *Factory, runF func(context.Context, *SendOptions) error) *cobra.Command {
	opts := &SendOptions{Factory: f}
	var msgType string
	cmd := &cobra.Command{
		Use:   "send GROUP... [-m MESSAGE | --file PATH]",
		Short: "Send a message to one or more groups",
		Long: `Send one message to the groups (one multicast to all of them). The message
is -m MESSAGE, the contents of --file, or else standard input, read to the
end but never past the size limit (143151 bytes less 32 per group). With
--lines each line is a message of its own, sent as soon as it is read, so
"tail -f log | spgo send --lines chat" streams. --repeat sends every message
that many times. Standard input is never read when -m or --file is given.
A GROUP may be a private group (#NAME#DAEMON) to reach one session.

send is quiet on success (-v reports what was sent) and returns only after
the daemon has every message: it ends with an empty message to its own
private group and waits for it to come back (the daemon orders one session's
messages), then disconnects cleanly. A check right after it in a script sees
the messages delivered. --timeout limits connecting (exit 3 when it runs
out; each daemon of a list gets it whole) and, separately, that
confirmation (exit 4 when it runs out).

Several daemons (-s 4803@a,4803@b or a repeated -s) are tried in order and
the message goes through the first that answers; one that rejects the
session ends the attempt (exit 3).`,
		Example: `  spgo send chat -m hello
  spgo send chat news --service agreed --type 7 -m "to both groups"
  date | spgo send chat
  spgo send chat --lines < lines.txt
  spgo send '#bob#d1' -m "private hello"`,
		Args:              needGroups("send"),
		ValidArgsFunction: completeGroups(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Groups = args
			opts.MessageSet = cmd.Flags().Changed("message")
			readConnFlags(cmd, &opts.Conn)
			t, err := parseMsgType(msgType)
			if err != nil {
				return &FlagError{Err: err}
			}
			opts.MsgType = t
			if opts.Repeat < 1 {
				return usageErrorf("invalid --repeat %d: allowed is 1 or more", opts.Repeat)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return sendRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, fmt.Sprintf("time limit for connecting (exit 3) and for the daemon's confirmation of the messages (exit 4) (0: %s each)", DefaultConnectTimeout))
	acceptServerList(cmd, "tried in order, the first that answers is used")
	fl := cmd.Flags()
	fl.StringVarP(&opts.Message, "message", "m", "", "the message (standard input is then not read)")
	fl.StringVar(&opts.File, "file", "", "read the message from this file")
	fl.BoolVar(&opts.Lines, "lines", false, "send each line of the input as its own message (without the newline)")
	fl.VarP(newEnumValue(&opts.Service, "safe", serviceNames...), "service", "S",
		"service type: "+strings.Join(serviceNames, ", "))
	fl.StringVarP(&msgType, "type", "t", "1", "16-bit message type (spuser sends 1)")
	fl.BoolVar(&opts.SelfDiscard, "self-discard", false, "do not deliver the message back to this sender")
	fl.IntVarP(&opts.Repeat, "repeat", "n", 1, "send every message this many times")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "report what was sent on stderr")
	cmd.MarkFlagsMutuallyExclusive("message", "file")
	_ = cmd.RegisterFlagCompletionFunc("service", cobra.FixedCompletions(serviceNames, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func sendRun(ctx context.Context, opts *SendOptions) error {
	if err := checkGroups(opts.Groups, checkSendGroup); err != nil {
		return invalidValue(err)
	}
	if err := checkMessageSize(0, len(opts.Groups)); err != nil {
		return err // the group names alone are over the limit
	}
	in, err := openSendInput(opts, len(opts.Groups))
	if err != nil {
		return err
	}
	defer in.close()
	// One message is read before connecting, so a bad or oversized input
	// fails without touching the daemon; --lines streams the rest.
	first, err := in.next()
	if err == io.EOF && opts.Lines {
		return nil // no lines: nothing to send
	}
	if err != nil {
		return err
	}
	s, err := openSession(ctx, opts.Factory, &opts.Conn, false)
	if err != nil {
		return err
	}
	defer s.Disconnect()
	count, total := 0, 0
	for m := first; ; {
		for range opts.Repeat {
			if err := s.Send(opts.Service, opts.SelfDiscard, opts.Groups, m, opts.MsgType); err != nil {
				return lost(fmt.Errorf("sending to %s: %w", strings.Join(opts.Groups, " "), err))
			}
			count++
			total += len(m)
		}
		if m, err = in.next(); err == io.EOF {
			break
		} else if err != nil {
			if count > 0 {
				err = fmt.Errorf("%w (%d %s before it were sent)", err, count, english.Plural(count, "message", "messages"))
			}
			return err
		}
	}
	if err := confirmSent(ctx, s, opts.Service, opts.Conn.ConnectTimeout()); err != nil {
		return err
	}
	me := s.PrivateGroup()
	if err := s.Disconnect(); err != nil {
		return lost(fmt.Errorf("disconnecting: %w", err))
	}
	if opts.Verbose {
		fmt.Fprintf(opts.Factory.IOStreams.ErrOut, "sent %d %s (%d bytes) %s to %s as %s\n",
			count, english.Plural(count, "message", "messages"), total, strings.ToUpper(opts.Service),
			strings.Join(opts.Groups, " "), me)
	}
	return nil
}

// confirmTypeMarker is the message type of send's confirmation message.
const confirmType int16 = -32768

// confirmSent returns once the daemon has ordered everything sent so far:
// it sends an empty message of the same service to this session's own
// private group and waits for it to come back. A daemon handles one
// session's messages in order, so the others are in the daemon by then
// and a check made after send returns sees them.
func confirmSent(ctx context.Context, s Session, service string, limit time.Duration) error {
	me := s.PrivateGroup()
	if err := s.Send(service, false, []string{me}, nil, confirmType); err != nil {
		return lost(fmt.Errorf("sending: %w", err))
	}
	if err := s.Flush(); err != nil {
		return lost(fmt.Errorf("sending: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		e, err := s.Receive(ctx)
		if errors.Is(err, errSkipped) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return timedOut(fmt.Errorf("the daemon did not confirm the messages within %v", limit))
			}
			return lost(err)
		}
		if e.Kind == KindMessage && e.Sender == me && e.MsgType == confirmType && len(e.Data) == 0 &&
			len(e.Groups) == 1 && e.Groups[0] == me {
			return nil
		}
	}
}
