package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/agent"
	"github.com/spgo/spgo/pkg/flood/report"
	"github.com/spgo/spgo/pkg/spread"
)

func addFloodAgentFlags(cmd *cobra.Command, o *FloodOptions) {
	fl := cmd.Flags()
	fl.IntVar(&o.Agents, "agents", 0, "run the sessions in this many agents (spgo flood agent) found in --control, and merge their results")
	fl.StringVar(&o.Control, "control", agent.DefaultControlGroup, "with --agents: the control group the agents wait in")
	fl.DurationVar(&o.AgentWait, "agent-wait", agent.DefaultWait, "with --agents: how long to wait for that many agents to answer")
	fl.DurationVar(&o.AgentTimeout, "agent-timeout", agent.DefaultTimeout, "with --agents: how long to wait for the agents' results of one service type")
	positiveDurations(cmd, "agent-wait", "agent-timeout")
	fl.IntSliceVar(&o.AgentSenders, "agent-senders", nil, "with --agents: the agents (1..N, in private-name order) that run --senders senders each (default 1); an agent may also receive")
	fl.IntSliceVar(&o.AgentReceivers, "agent-receivers", nil, "with --agents: the agents that run --receivers receivers each (default all others); an agent may also send")
}

// validateAgents checks the flags of a flood across hosts.
func (o *FloodOptions) validateAgents(cmd *cobra.Command) error {
	ch := cmd.Flags().Changed
	if o.Agents == 0 {
		for _, name := range []string{"control", "agent-wait", "agent-timeout", "agent-senders", "agent-receivers"} {
			if ch(name) {
				return usageErrorf("--%s needs --agents", name)
			}
		}
		if ch("agents") {
			return usageErrorf("--agents 0: want 1 or more agents")
		}
		return nil
	}
	switch {
	case o.Agents < 0 || o.Agents > 1000:
		return usageErrorf("--agents %d: allowed 1..1000", o.Agents)
	case o.Embedded || o.ReadOnly || o.WriteOnly || o.Sweep != "" || len(o.SendersAt) > 0 || len(o.ReceiversAt) > 0 || o.Nodes > 0:
		return usageErrorf("--agents places the sessions in the agents: not with --embedded, --read-only, --write-only, --sweep or a placement (-at flags, --nodes)")
	case o.AgentWait <= 0 || o.AgentTimeout <= 0:
		return usageErrorf("--agent-wait %v / --agent-timeout %v: want more than 0", o.AgentWait, o.AgentTimeout)
	}
	if err := checkGroups([]string{o.Control}, checkJoinGroup); err != nil {
		return invalidValue(fmt.Errorf("--control: %w", err))
	}
	return nil
}

// floodAgentsRun is `spgo flood --agents N`: the flood's sessions run in
// agents elsewhere, and this process finds them, plans, starts and merges.
func floodAgentsRun(ctx context.Context, o *FloodOptions, cfg flood.Config) error {
	mb, err := spread.ConnectContext(ctx, o.Conn.Server, spread.WithMembership(true), spread.WithTimeout(o.Conn.ConnectTimeout()))
	if err != nil {
		return connectFailed(fmt.Errorf("connecting to %s: %w", o.Conn.Server, spreadErr(err)))
	}
	defer mb.Disconnect()
	team, coord, err := findTeam(ctx, mb, o)
	if err != nil {
		return err
	}
	env := report.HostEnv(o.Conn.Server, fmt.Sprintf("%d agents over control group %s", len(team), o.Control), transportOf(o.Conn.Server))
	shown := cfg // the banner counts the sessions of every agent
	shown.Senders, shown.Receivers = agent.Sessions(team)
	announceFlood(o, shown, env)
	out, runErr := coord.Run(ctx, team, cfg)
	if out == nil {
		return runErr
	}
	env.Agents = out.Agents
	points := []flood.Point{}
	if len(out.Results.Services) > 0 {
		points = append(points, flood.Point{Size: out.Results.Size, Receivers: out.Results.Receivers, Results: out.Results})
	}
	nwarn := 0
	if len(points) > 0 || o.Output == OutputJSON {
		if nwarn, err = renderFlood(o, env, points, ""); err != nil {
			return err
		}
	}
	return agentsOutcome(ctx, o, runErr, nwarn, report.Faulted(points))
}

// findTeam joins the control group, finds --agents agents and gives them
// their roles.
func findTeam(ctx context.Context, mb *spread.Mailbox, o *FloodOptions) ([]agent.Assignment, *agent.Coordinator, error) {
	coord, err := agent.NewCoordinator(mb, agent.Options{Control: o.Control, Wait: o.AgentWait, Timeout: o.AgentTimeout})
	if err != nil {
		return nil, nil, agentSessionFailed(err)
	}
	found, err := coord.Find(ctx, o.Agents)
	var few *agent.TooFewAgentsError
	switch {
	case ctx.Err() != nil:
		return nil, nil, interrupted(errors.New("flood interrupted while looking for agents"))
	case errors.As(err, &few):
		return nil, nil, timedOut(err)
	case err != nil:
		return nil, nil, agentSessionFailed(err)
	}
	team, err := agent.Assign(found, agent.Roles{SenderAgents: o.AgentSenders, ReceiverAgents: o.AgentReceivers,
		Senders: o.Senders, Receivers: o.Receivers})
	var re *agent.RolesError
	if errors.As(err, &re) {
		return nil, nil, usageErrorf("%v (--agents)", err)
	}
	return team, coord, err
}

// agentsOutcome prints the agents' failures and turns the run's error
// into the command's.
func agentsOutcome(ctx context.Context, o *FloodOptions, runErr error, nwarn int, faulted bool) error {
	var fe *agent.FailuresError
	if errors.As(runErr, &fe) {
		for _, f := range fe.Failures {
			fmt.Fprintf(o.Factory.IOStreams.ErrOut, "spgo flood: %s\n", agentFailure(o, f))
		}
	}
	var se *agent.SessionError
	switch {
	case ctx.Err() != nil:
		return interrupted(errors.New("flood interrupted: the figures are partial, up to the interrupt"))
	case errors.As(runErr, &se):
		return agentSessionFailed(se)
	case fe != nil:
		n := len(fe.Failures)
		err := fmt.Errorf("flood: %d agent %s failed (above)", n, english.Plural(n, "report", "reports"))
		if errors.Is(fe, agent.ErrAgentLost) {
			return agentLost(err)
		}
		return err
	case runErr != nil:
		return runErr
	}
	return floodOutcome(nil, nwarn, faulted)
}

// agentFailure says what went wrong with one agent, naming the flag for
// a timeout.
func agentFailure(o *FloodOptions, f *agent.AgentError) string {
	if errors.Is(f, agent.ErrNoResult) {
		return fmt.Sprintf("agent %s (%s): no result within --agent-timeout %s", f.Name, f.Host, o.AgentTimeout)
	}
	return f.Error()
}
