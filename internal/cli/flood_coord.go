package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/report"
	"github.com/spgo/spgo/pkg/spread"
)

// Defaults of --agent-wait and --agent-timeout.
const (
	DefaultAgentWait    = 10 * time.Second
	DefaultAgentTimeout = 10 * time.Minute
)

func addFloodAgentFlags(cmd *cobra.Command, o *FloodOptions) {
	fl := cmd.Flags()
	fl.IntVar(&o.Agents, "agents", 0, "run the sessions in this many agents (spgo flood agent) found in --control, and merge their results")
	fl.StringVar(&o.Control, "control", DefaultControlGroup, "with --agents: the control group the agents wait in")
	fl.DurationVar(&o.AgentWait, "agent-wait", DefaultAgentWait, "with --agents: how long to wait for that many agents to answer")
	fl.DurationVar(&o.AgentTimeout, "agent-timeout", DefaultAgentTimeout, "with --agents: how long to wait for the agents' results of one service type")
	fl.IntSliceVar(&o.AgentSenders, "agent-senders", nil, "with --agents: the agents (1..N, in private-name order) that run --senders senders each (default 1)")
	fl.IntSliceVar(&o.AgentReceivers, "agent-receivers", nil, "with --agents: the agents that run --receivers receivers each (default all others)")
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
	case o.Duration > 0 || ch("duration"):
		return usageErrorf("--agents floods --count messages per sender; not --duration")
	case o.AgentWait <= 0 || o.AgentTimeout <= 0:
		return usageErrorf("--agent-wait %v / --agent-timeout %v: want more than 0", o.AgentWait, o.AgentTimeout)
	}
	if err := checkGroups([]string{o.Control}, checkJoinGroup); err != nil {
		return invalidValue(fmt.Errorf("--control: %w", err))
	}
	return nil
}

// reprobe is how often the coordinator asks again while it waits for its
// agents: one that joins the control group later still answers.
const reprobe = 200 * time.Millisecond

// coordAgent is an agent as the coordinator knows it.
type coordAgent struct {
	report.Agent
	senders, receivers int // sessions it runs
}

// part records what the agent's part of a service type's flood gave.
func (a *coordAgent) part(sr *flood.ServiceResult, garbage int64) {
	a.Garbage = max(a.Garbage, garbage)
	as := report.AgentService{Service: sr.Service, Sent: sr.Sent, Delivered: sr.Delivered,
		MsgRate: sr.MsgRate, Latency: sr.Latency, Lost: sr.Lost, Verdict: sr.Judge()}
	if a.receivers == 0 { // a senders' agent: its send rate
		as.MsgRate = 0
		for _, c := range sr.Clients {
			as.MsgRate += c.MsgRate
		}
	}
	a.Services = append(a.Services, as)
}

// floodAgentsRun is `spgo flood --agents N`: the flood's sessions run in
// agents elsewhere, and this process plans, starts and merges.
func floodAgentsRun(ctx context.Context, o *FloodOptions, cfg flood.Config) error {
	ios := o.Factory.IOStreams
	mb, err := spread.ConnectContext(ctx, o.Conn.Server, spread.WithMembership(true), spread.WithTimeout(o.Conn.ConnectTimeout()))
	if err != nil {
		return connectFailed(fmt.Errorf("connecting to %s: %w", o.Conn.Server, spreadErr(err)))
	}
	defer mb.Disconnect()
	if err := mb.Join(o.Control); err != nil {
		return lost(fmt.Errorf("joining %s: %w", o.Control, spreadErr(err)))
	}
	run := newRunID()
	agents, err := findAgents(ctx, mb, o, run)
	if err != nil {
		return err
	}
	if err := placeOnAgents(o, agents); err != nil {
		return err
	}
	env := report.HostEnv(o.Conn.Server, fmt.Sprintf("%d agents over control group %s", len(agents), o.Control), transportOf(o.Conn.Server))
	announceFlood(o, cfg, env)
	res := &flood.Results{Daemon: o.Conn.Server, Group: cfg.Group, Size: cfg.Size, Count: cfg.Count,
		Senders: o.Senders * countRole(agents, true), Receivers: o.Receivers * countRole(agents, false),
		Window: max(cfg.Window, 0), Rate: cfg.Rate, RTTEvery: cfg.RTTEvery, Started: time.Now()}
	var agentErrs []string
	for i, svc := range cfg.Services {
		sr, errs, err := coordinateService(ctx, mb, o, cfg, agents, fmt.Sprintf("%s.%d", run, i), svc, cfg.ServiceGroup(svc))
		agentErrs = append(agentErrs, errs...)
		if sr != nil {
			res.Services = append(res.Services, *sr)
		}
		if err != nil || len(errs) > 0 {
			break
		}
	}
	env.Agents = make([]report.Agent, len(agents))
	for i, a := range agents {
		env.Agents[i] = a.Agent
	}
	points := []flood.Point{}
	if len(res.Services) > 0 {
		points = append(points, flood.Point{Size: res.Size, Receivers: res.Receivers, Results: res})
	}
	nwarn := 0
	if len(points) > 0 || o.Output == OutputJSON {
		if nwarn, err = renderFlood(o, env, points, ""); err != nil {
			return err
		}
	}
	for _, e := range agentErrs {
		fmt.Fprintf(ios.ErrOut, "spgo flood: %s\n", e)
	}
	if ctx.Err() != nil {
		return interrupted(errors.New("flood interrupted: the figures are partial, up to the interrupt"))
	}
	if len(agentErrs) > 0 {
		return fmt.Errorf("flood: %d agent %s failed (above)", len(agentErrs), plural(len(agentErrs), "report", "reports"))
	}
	return floodOutcome(nil, nwarn, report.Faulted(points))
}

func newRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// findAgents probes the control group until o.Agents idle agents have
// answered, or --agent-wait runs out.
func findAgents(ctx context.Context, mb *spread.Mailbox, o *FloodOptions, run string) ([]*coordAgent, error) {
	wctx, cancel := context.WithTimeout(ctx, o.AgentWait)
	defer cancel()
	found := map[string]*coordAgent{}
	busy := map[string]string{}
	next := time.Now()
	for len(found) < o.Agents {
		if !time.Now().Before(next) {
			if err := sendAgentMsg(mb, o.Control, agentMsg{Kind: agentKindProbe, Run: run}); err != nil {
				return nil, lost(spreadErr(err))
			}
			next = time.Now().Add(reprobe)
		}
		rctx, rcancel := context.WithDeadline(wctx, next)
		msg, err := mb.ReceiveContext(rctx)
		rcancel()
		if err != nil {
			if wctx.Err() != nil {
				if ctx.Err() != nil {
					return nil, interrupted(errors.New("flood interrupted while looking for agents"))
				}
				return nil, timedOut(fmt.Errorf("%d of %d agents answered in %s on control group %s%s",
					len(found), o.Agents, o.AgentWait, o.Control, busyNote(busy)))
			}
			if rctx.Err() != nil {
				continue // time to probe again
			}
			return nil, lost(spreadErr(err))
		}
		rm, ok := msg.(*spread.RegularMessage)
		if !ok {
			continue
		}
		m, ok := readAgentMsg(rm)
		if !ok || m.Kind != agentKindHello || m.Run != run {
			continue
		}
		if m.Busy != "" {
			busy[rm.Sender] = m.Busy
			continue
		}
		if found[rm.Sender] == nil {
			found[rm.Sender] = &coordAgent{Agent: report.Agent{Name: rm.Sender, Host: m.Host, Daemon: m.Daemon, Version: m.Version}}
		}
	}
	names := make([]string, 0, len(found))
	for n := range found {
		names = append(names, n)
	}
	slices.Sort(names)
	agents := make([]*coordAgent, len(names))
	for i, n := range names {
		agents[i] = found[n]
	}
	return agents, nil
}

func busyNote(busy map[string]string) string {
	if len(busy) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d more busy with another coordinator's run)", len(busy))
}

// placeOnAgents gives each agent its role from --agent-senders and
// --agent-receivers (agent numbers, in private-name order).
func placeOnAgents(o *FloodOptions, agents []*coordAgent) error {
	senders, receivers := o.AgentSenders, o.AgentReceivers
	if len(senders) == 0 {
		senders = []int{1}
	}
	if len(receivers) == 0 {
		for k := 2; k <= len(agents); k++ {
			receivers = append(receivers, k)
		}
		if len(agents) == 1 {
			receivers = []int{1}
		}
	}
	for _, k := range append(slices.Clone(senders), receivers...) {
		if k < 1 || k > len(agents) {
			return usageErrorf("agent %d: allowed 1..%d (--agents)", k, len(agents))
		}
	}
	for _, k := range senders {
		agents[k-1].senders = o.Senders
	}
	for _, k := range receivers {
		agents[k-1].receivers = o.Receivers
	}
	for _, a := range agents {
		if a.senders > 0 && a.receivers > 0 && len(agents) > 1 {
			return usageErrorf("agent %s would run senders and receivers: give each agent one role (--agent-senders, --agent-receivers)", a.Name)
		}
		a.Role = roleName(a.senders, a.receivers)
	}
	return nil
}

func roleName(senders, receivers int) string {
	var parts []string
	if senders > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", senders, plural(senders, "sender", "senders")))
	}
	if receivers > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", receivers, plural(receivers, "receiver", "receivers")))
	}
	if len(parts) == 0 {
		return "idle"
	}
	return strings.Join(parts, ", ")
}

func countRole(agents []*coordAgent, senders bool) int {
	n := 0
	for _, a := range agents {
		if (senders && a.senders > 0) || (!senders && a.receivers > 0) {
			n++
		}
	}
	return n
}

// coordinateService runs one service type's flood over the agents: the
// receivers' agents first, which say when their sessions are in the group,
// then the senders' agents, whose windows follow the receivers'
// acknowledgements. It collects the results (an agent that leaves the
// control group is reported and not waited for) and merges them.
func coordinateService(ctx context.Context, mb *spread.Mailbox, o *FloodOptions, cfg flood.Config, agents []*coordAgent,
	run string, svc spread.ServiceType, group string) (*flood.ServiceResult, []string, error) {
	totalSenders, totalReceivers := 0, 0
	for _, a := range agents {
		totalSenders += a.senders
		totalReceivers += a.receivers
	}
	c := &collector{mb: mb, o: o, run: run, waiting: map[string]*coordAgent{}, ready: map[string]bool{}, size: cfg.Size, svc: svc}
	plan := func(a *coordAgent) *agentPlan {
		p := &agentPlan{Service: strings.ToLower(flood.ServiceName(svc)), Group: group, Count: cfg.Count, Size: cfg.Size,
			Senders: a.senders, Receivers: a.receivers, Window: cfg.Window, RTTEvery: cfg.RTTEvery, Stall: cfg.Stall,
			Rate: cfg.Rate * float64(a.senders) / float64(max(totalSenders, 1))}
		if len(agents) > 1 {
			p.RemoteSenders = totalSenders
			p.AckEvery = max(cfg.Window/4, 1)
			if a.receivers == 0 {
				p.RemoteReceivers = totalReceivers
			}
		}
		return p
	}
	tctx, cancel := context.WithTimeout(ctx, o.AgentTimeout)
	defer cancel()
	// Receivers first: the senders start once every receiver is in the
	// group, so none of their messages goes unseen.
	var senders []*coordAgent
	for _, a := range agents {
		switch {
		case a.senders == 0 && a.receivers == 0:
		case a.receivers > 0:
			if err := c.send(a, plan(a)); err != nil {
				return nil, nil, err
			}
		default:
			senders = append(senders, a)
		}
	}
	if len(agents) > 1 {
		if err := c.await(ctx, tctx, func() bool { return len(c.ready) == len(c.waiting) || len(c.errs) > 0 }); err != nil || len(c.errs) > 0 {
			c.abortAll()
			return c.merged(), c.errs, err
		}
	}
	for _, a := range senders {
		if err := c.send(a, plan(a)); err != nil {
			return nil, nil, err
		}
	}
	err := c.await(ctx, tctx, func() bool { return len(c.waiting) == 0 })
	if err != nil || len(c.errs) > 0 {
		c.abortAll()
	}
	return c.merged(), c.errs, err
}

// collector follows the agents of one service type's flood.
type collector struct {
	mb      *spread.Mailbox
	o       *FloodOptions
	run     string
	svc     spread.ServiceType
	size    int
	waiting map[string]*coordAgent // sent a plan, no result yet
	ready   map[string]bool        // receivers' agents whose sessions are in the group
	parts   []*flood.ServiceResult
	errs    []string
}

func (c *collector) send(a *coordAgent, p *agentPlan) error {
	if err := sendAgentMsg(c.mb, a.Name, agentMsg{Kind: agentKindPlan, Run: c.run, Plan: p}); err != nil {
		return lost(spreadErr(err))
	}
	c.waiting[a.Name] = a
	return nil
}

func (c *collector) abortAll() {
	for name := range c.waiting {
		_ = sendAgentMsg(c.mb, name, agentMsg{Kind: agentKindAbort, Run: c.run})
	}
}

func (c *collector) merged() *flood.ServiceResult { return merged(c.svc, c.size, c.parts) }

// await handles the agents' messages until done holds, the agents'
// timeout (tctx) runs out (reported per agent) or ctx ends.
func (c *collector) await(ctx, tctx context.Context, done func() bool) error {
	for !done() {
		msg, err := c.mb.ReceiveContext(tctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if tctx.Err() != nil {
				for name, a := range c.waiting {
					c.errs = append(c.errs, fmt.Sprintf("agent %s (%s): no result within --agent-timeout %s", name, a.Host, c.o.AgentTimeout))
					delete(c.waiting, name)
				}
				return nil
			}
			return lost(spreadErr(err))
		}
		c.handle(msg)
	}
	return nil
}

func (c *collector) handle(msg spread.Message) {
	switch m := msg.(type) {
	case *spread.MembershipMessage:
		if m.Group != c.o.Control || m.Cause == spread.CauseTransition {
			return
		}
		for name, a := range c.waiting {
			if m.IndexOf(name) < 0 {
				c.errs = append(c.errs, fmt.Sprintf("agent %s (%s) was lost mid-run: it left control group %s (%s)", name, a.Host, c.o.Control, m.Cause))
				delete(c.waiting, name)
			}
		}
	case *spread.RegularMessage:
		am, ok := readAgentMsg(m)
		a := c.waiting[m.Sender]
		if !ok || am.Run != c.run || a == nil {
			return
		}
		switch am.Kind {
		case agentKindReady:
			c.ready[m.Sender] = true
			return
		case agentKindResult:
		default:
			return
		}
		delete(c.waiting, m.Sender)
		if am.Error != "" {
			c.errs = append(c.errs, fmt.Sprintf("agent %s (%s): %s", m.Sender, a.Host, am.Error))
			return
		}
		if am.Result == nil || am.Shipment == nil || am.Result.Unship(*am.Shipment) != nil {
			c.errs = append(c.errs, fmt.Sprintf("agent %s (%s): a result that cannot be read", m.Sender, a.Host))
			return
		}
		for i := range am.Result.Clients {
			am.Result.Clients[i].Agent = a.Name
		}
		a.part(am.Result, am.Garbage)
		c.parts = append(c.parts, am.Result)
	}
}

func merged(svc spread.ServiceType, size int, parts []*flood.ServiceResult) *flood.ServiceResult {
	if len(parts) == 0 {
		return nil
	}
	return flood.Merge(svc, size, parts)
}
