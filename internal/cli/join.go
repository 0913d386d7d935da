package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// JoinOptions are the flags and arguments of `spgo join`.
type JoinOptions struct {
	Factory *Factory
	Conn    ConnOptions

	Groups    []string
	Watch     bool
	Output    string
	ReadyFile string
	Reconnect ReconnectOptions
}

// NewCmdJoin builds `spgo join`.
func NewCmdJoin(f *Factory, runF func(context.Context, *JoinOptions) error) *cobra.Command {
	opts := &JoinOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "join GROUP...",
		Short: "Join groups and print their membership",
		Long: `Join the groups, print the membership that results for each (members and
group id) and exit. With --watch, keep printing membership changes of those
groups until interrupted or until --timeout; both end with exit 0.

Several daemons (-s 4803@a,4803@b or a repeated -s) are tried in order until
one answers. With --watch --reconnect a lost daemon does not end the watch:
join connects again (the next daemon of the list first, pausing between
rounds that reach none), joins the groups again and prints a "reconnected"
event with the gap, then the new memberships. The first connect of
--watch --reconnect is retried the same way, for up to --timeout (else
10s), so the watch may start before its daemon; running out of time exits
3. A rejection (name not unique, version, authentication) ends it with
exit 3.`,
		Example: `  spgo join chat
  spgo join -o json chat news
  spgo join --watch --timeout 1m chat
  spgo join --watch --reconnect -s 4803@a -s 4803@b chat`,
		Args:              needGroups("join"),
		ValidArgsFunction: completeGroups(f),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Groups = args
			readConnFlags(cmd, &opts.Conn)
			if err := readReconnectFlags(cmd, &opts.Reconnect); err != nil {
				return err
			}
			if opts.Reconnect.Enabled && !opts.Watch {
				return usageErrorf("--reconnect needs --watch: a join without it ends once it has joined")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return joinRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, "time limit for the whole run, connecting included (0: none for --watch; connecting alone is limited to 10s)")
	acceptServerList(cmd, "tried in order (with --watch --reconnect, the next after a lost one first)")
	addReconnectFlags(cmd, &opts.Reconnect)
	addOutputFlag(cmd, &opts.Output)
	cmd.Flags().BoolVarP(&opts.Watch, "watch", "w", false, "keep printing membership changes until interrupted or --timeout")
	cmd.Flags().StringVar(&opts.ReadyFile, "ready-file", "", "write the private group name to this file once every join is complete")
	return cmd
}

func joinRun(ctx context.Context, opts *JoinOptions) error {
	ctx, cancel := opts.Conn.runContext(ctx)
	defer cancel()
	errOut := opts.Factory.IOStreams.ErrOut
	s, err := joinSurviving(ctx, opts.Factory, &opts.Conn, opts.Reconnect, opts.Groups,
		func(line string) { fmt.Fprintf(errOut, "spgo join: %s\n", line) })
	if err != nil {
		return err
	}
	defer s.Disconnect()
	p := newPrinter(opts.Factory.IOStreams, opts.Output, false, "")
	for !s.joined() {
		e, err := s.Receive(ctx)
		if warnSkipped(opts.Factory, err) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return timedOut(fmt.Errorf("no membership for %s before %s",
					strings.Join(sortedKeys(s.pending), " "), endReason(ctx, !errors.Is(ctx.Err(), context.DeadlineExceeded))))
			}
			return lost(err)
		}
		if !s.ownJoin(e) {
			continue // data and other groups' news before our own join: not asked for
		}
		if err := p.print(e, true); err != nil {
			return err
		}
	}
	if err := s.writeReadyFile(opts.ReadyFile); err != nil {
		return err
	}
	if !opts.Watch {
		return lost(s.Disconnect())
	}
	for {
		e, err := s.Receive(ctx)
		if warnSkipped(opts.Factory, err) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted or --timeout: the watch is over
			}
			return lost(err)
		}
		if e.Kind != KindMembership && e.Kind != KindReconnected {
			continue // --watch is about membership; listen shows messages
		}
		if err := p.print(e, true); err != nil {
			return err
		}
		if e.Kind == KindReconnected || s.ownJoin(e) {
			if s.joined() { // rejoined after a reconnect: the private name has changed
				if err := s.writeReadyFile(opts.ReadyFile); err != nil {
					return err
				}
			}
		}
	}
}
