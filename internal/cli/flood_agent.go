package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/flood/agent"
	"github.com/spgo/spgo/pkg/spread"
)

// A flood across hosts: `spgo flood agent` runs on each host beside its
// daemon and waits in a control group; `spgo flood --agents N` (the
// coordinator) finds N agents there. pkg/flood/agent does the work; this
// file and flood_coord.go are its flags, output and exit codes.

// FloodAgentOptions are the flags of `spgo flood agent`.
type FloodAgentOptions struct {
	Factory   *Factory
	Conn      ConnOptions
	Control   string
	Quiet     bool
	ReadyFile string
}

func newCmdFloodAgent(f *Factory) *cobra.Command {
	opts := &FloodAgentOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Wait in a control group and run the part of a flood a coordinator sends",
		Long: `Connect to the local daemon (-s), join the control group and wait for a
coordinator (spgo flood --agents N) to send a plan: this agent's senders,
receivers or both, of a flood over the ring. It runs them, sends the results back
(latency histograms included, so the coordinator merges them exactly) and
waits for the next plan, until interrupted. Messages on the control group
that are not a coordinator's are counted and ignored. A plan from a
coordinator of another spgo version, or one the agent cannot carry out, is
answered with a one-line error.`,
		Example: `  spgo flood agent -s 4803@localhost &     # on every host
  spgo flood --agents 3 -s 4803@localhost --services agreed`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			readConnFlags(cmd, &opts.Conn)
			if err := checkGroups([]string{opts.Control}, checkJoinGroup); err != nil {
				return invalidValue(fmt.Errorf("--control: %w", err))
			}
			return floodAgentRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, "")
	cmd.Flags().StringVar(&opts.Control, "control", agent.DefaultControlGroup, "the control group agents and coordinators meet in")
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "no readiness and run lines on stderr")
	cmd.Flags().StringVar(&opts.ReadyFile, "ready-file", "", "write the private group name to this file once in the control group")
	return cmd
}

func floodAgentRun(ctx context.Context, o *FloodAgentOptions) error {
	mb, err := spread.ConnectContext(ctx, o.Conn.Server, spread.WithName(o.Conn.User), spread.WithMembership(true),
		spread.WithTimeout(o.Conn.ConnectTimeout()))
	if err != nil {
		return connectFailed(fmt.Errorf("connecting to %s: %w", o.Conn.Server, spreadErr(err)))
	}
	defer mb.Disconnect()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a := &agent.Agent{Daemon: o.Conn.Server, Control: o.Control,
		Options: []spread.Option{spread.WithTimeout(o.Conn.ConnectTimeout())},
		OnEvent: func(e agent.Event) { o.tell(e, cancel) }}
	if err := a.Serve(ctx, mb); err != nil {
		return agentSessionFailed(err)
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause // the ready file could not be written
	}
	return nil
}

// tell writes the ready file and says what the agent does on stderr;
// fail ends the agent when the ready file cannot be written.
func (o *FloodAgentOptions) tell(e agent.Event, fail context.CancelCauseFunc) {
	if e.Kind == agent.EventReady && o.ReadyFile != "" {
		if err := writeFileAtomic(o.ReadyFile, []byte(e.Name+"\n")); err != nil {
			fail(err)
			return
		}
	}
	switch e.Kind {
	case agent.EventReady, agent.EventRunStarted, agent.EventSendFailed:
		if !o.Quiet {
			fmt.Fprintf(o.Factory.IOStreams.ErrOut, "spgo flood agent: %s\n", e)
		}
	}
}

// agentSessionFailed is the exit of an agent or coordinator whose own
// session failed.
func agentSessionFailed(err error) error {
	var se *agent.SessionError
	if errors.As(err, &se) {
		return lost(fmt.Errorf("%s: %w", se.Op, spreadErr(se.Err)))
	}
	return err
}
