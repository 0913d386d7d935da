package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// PollOptions are the flags and arguments of `spgo poll`.
type PollOptions struct {
	Factory *Factory
	Conn    ConnOptions

	Groups    []string
	Wait      time.Duration
	Output    string
	ReadyFile string
	// Interval between polls while waiting.
	Interval time.Duration
}

// NewCmdPoll builds `spgo poll`.
func NewCmdPoll(f *Factory, runF func(context.Context, *PollOptions) error) *cobra.Command {
	opts := &PollOptions{Factory: f, Interval: 10 * time.Millisecond}
	cmd := &cobra.Command{
		Use:   "poll [GROUP...]",
		Short: "Report whether a message is ready to be received",
		Long: `Join the groups (if any; the session is connected without membership
messages, so only data counts), wait up to --wait for something to arrive,
and report how many bytes are ready (SP_poll's answer). Exit 0 when
something is ready, 4 when nothing is.`,
		Example: `  spgo poll --wait 2s chat
  spgo poll -o json -u me --wait 5s     # anything sent to #me#DAEMON?`,
		ValidArgsFunction: completeGroups(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Groups = args
			readConnFlags(cmd, &opts.Conn)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return pollRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, "")
	addOutputFlag(cmd, &opts.Output)
	cmd.Flags().DurationVarP(&opts.Wait, "wait", "w", 0, "how long to wait for a message (0: answer at once)")
	cmd.Flags().StringVar(&opts.ReadyFile, "ready-file", "", "write the private group name to this file once connected and joined")
	return cmd
}

type pollResult struct {
	Kind  string `json:"kind"`
	Ready bool   `json:"ready"`
	Bytes int    `json:"bytes"`
}

func pollRun(ctx context.Context, opts *PollOptions) error {
	s, _, err := connectAndJoin(ctx, opts.Factory, &opts.Conn, opts.Groups, false)
	if err != nil {
		return err
	}
	defer s.Disconnect()
	// No membership messages to wait for: a flush makes sure the daemon
	// has the joins before the poll starts.
	if err := s.Flush(); err != nil {
		return lost(err)
	}
	if err := s.writeReadyFile(opts.ReadyFile); err != nil {
		return err
	}
	n, err := pollWait(ctx, s, opts.Wait, opts.Interval)
	if err != nil {
		return lost(err)
	}
	res := pollResult{Kind: "poll", Ready: n > 0, Bytes: n}
	out := opts.Factory.IOStreams.Out
	if opts.Output == OutputJSON {
		if err := writeJSONLine(out, res); err != nil {
			return err
		}
	} else if n > 0 {
		fmt.Fprintf(out, "ready: %d bytes\n", n)
	} else {
		fmt.Fprintf(out, "nothing ready\n")
	}
	if n == 0 {
		return timedOut(nil) // the output said "nothing ready"
	}
	return nil
}

// pollWait polls until something is ready, wait has passed or ctx ends.
// SP_poll cannot block, so waiting is a poll per interval.
func pollWait(ctx context.Context, s Session, wait, interval time.Duration) (int, error) {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		n, err := s.Poll()
		if err != nil || n > 0 {
			return n, err
		}
		select {
		case <-ctx.Done():
			return 0, nil
		case <-deadline.C:
			return s.Poll()
		case <-tick.C:
		}
	}
}
