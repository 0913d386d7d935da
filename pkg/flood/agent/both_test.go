package agent

import (
	"context"
	"testing"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// An agent may run senders and receivers in a team of several: agent 1
// runs a sender and a receiver, agent 2 a receiver. Every receiver gets
// both senders' messages, none is lost, each agent's part says its role,
// and the agent with both roles held its senders until told to start.
func TestRunAnAgentWithBothRoles(t *testing.T) {
	server, a1, a2, c, found := twoAgents(t)
	both, other := a1, a2
	if found[0].Name != a1.name {
		both, other = a2, a1
	}
	team, err := Assign(found, Roles{SenderAgents: []int{1, 2}, ReceiverAgents: []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	team[1].Senders = 0 // agent 2: receivers only
	out, err := c.Run(context.Background(), team, flood.Config{Daemon: server, Group: "g",
		Services: []spread.ServiceType{spread.AgreedMess}, Count: 400, Size: 100, Window: 40})
	if err != nil {
		t.Fatal(err)
	}
	s := out.Results.Services[0]
	if s.Sent != 400 || s.Delivered != 800 || s.Lost != 0 || s.Verdict != "ok" {
		t.Errorf("merged: sent %d delivered %d lost %d verdict %q", s.Sent, s.Delivered, s.Lost, s.Verdict)
	}
	if len(out.Agents) != 2 || out.Agents[0].Role != "1 sender, 1 receiver" || out.Agents[1].Role != "1 receiver" {
		t.Fatalf("agents: %+v", out.Agents)
	}
	if p := out.Agents[0].Services[0]; p.Sent != 400 || p.Delivered != 400 || p.Verdict != "ok" {
		t.Errorf("the part of the agent with both roles: %+v", p)
	}
	if p := out.Agents[1].Services[0]; p.Delivered != 400 || p.Verdict != "ok" {
		t.Errorf("the receivers' part: %+v", p)
	}
	if e := both.await(t, EventRunStarted); !e.Plan.HoldSenders || e.Plan.RemoteSenders != 1 || e.Plan.RemoteReceivers != 2 {
		t.Errorf("plan of the agent with both roles: %+v", e.Plan)
	}
	if e := other.await(t, EventRunStarted); e.Plan.HoldSenders || e.Plan.Senders != 0 {
		t.Errorf("plan of the receivers' agent: %+v", e.Plan)
	}
}

// Two agents each with a sender and a receiver: every receiver gets every
// sender's messages.
func TestRunTwoAgentsWithBothRoles(t *testing.T) {
	server, _, _, c, found := twoAgents(t)
	team, err := Assign(found, Roles{SenderAgents: []int{1, 2}, ReceiverAgents: []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Run(context.Background(), team, flood.Config{Daemon: server, Group: "g",
		Services: []spread.ServiceType{spread.FIFOMess, spread.SafeMess}, Count: 300, Size: 100, RTTEvery: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range out.Results.Services {
		if s.Sent != 600 || s.Delivered != 1200 || s.Lost != 0 || s.Verdict != "ok" {
			t.Errorf("%s: sent %d delivered %d lost %d verdict %q", s.Service, s.Sent, s.Delivered, s.Lost, s.Verdict)
		}
	}
	for _, a := range out.Agents {
		if a.Role != "1 sender, 1 receiver" || len(a.Services) != 2 {
			t.Errorf("agent %+v", a)
		}
	}
}

// A plan that holds its senders needs both roles: one without is refused.
func TestPlanHoldingSendersNeedsBothRoles(t *testing.T) {
	_, err := planFloods(&Plan{Service: "fifo", Group: "g", Count: 10, Size: 100, Senders: 1, HoldSenders: true,
		RemoteSenders: 1, RemoteReceivers: 1, AckEvery: 1}, "4803", nil, nil)
	if err == nil {
		t.Fatal("a plan holding senders with no receivers was accepted")
	}
	parts, err := planFloods(&Plan{Service: "fifo", Group: "g", Count: 10, Size: 100, Senders: 2, Receivers: 3, HoldSenders: true,
		RemoteSenders: 4, RemoteReceivers: 5, AckEvery: 2, Rate: 100}, "4803", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	recv, send := parts[0], parts[1]
	if recv.Mode != flood.ModeReadOnly || recv.Senders != 0 || recv.Receivers != 3 || recv.RemoteSenders != 4 || recv.AckEvery != 2 || recv.Rate != 0 {
		t.Errorf("receivers' flood %+v", recv)
	}
	if send.Mode != flood.ModeWriteAcked || send.Senders != 2 || send.Receivers != 0 || send.RemoteReceivers != 5 || send.Rate != 100 {
		t.Errorf("senders' flood %+v", send)
	}
}

// An agent holds the senders of a plan that says so until the
// coordinator's start: aborted before it, nothing was sent; started, the
// sender sends its count, which its own receiver gets and acknowledges.
func TestAgentHoldsSendersUntilStart(t *testing.T) {
	server := newDaemon(t)
	a := startAgent(t, server, Agent{})
	rc := newRawCoordinator(t, server)
	plan := func(group string) *Plan {
		return &Plan{Service: "fifo", Group: group, Count: 50, Size: 100, Senders: 1, Receivers: 1, RemoteSenders: 1,
			RemoteReceivers: 1, AckEvery: 5, Window: 20, HoldSenders: true}
	}
	rc.send(a.name, Message{Kind: KindPlan, Run: "held", Plan: plan("g1")})
	rc.next(KindReady, "held")
	rc.send(a.name, Message{Kind: KindAbort, Run: "held"})
	r := rc.next(KindResult, "held")
	if r.Error != "" || r.Result == nil || r.Result.Sent != 0 || r.Result.Delivered != 0 || !r.Result.Partial {
		t.Fatalf("aborted before the start: error %q result %+v", r.Error, r.Result)
	}
	rc.send(a.name, Message{Kind: KindPlan, Run: "started", Plan: plan("g2")})
	rc.next(KindReady, "started")
	rc.send(a.name, Message{Kind: KindStart, Run: "started"})
	r = rc.next(KindResult, "started")
	if r.Error != "" || r.Result == nil || r.Result.Sent != 50 || r.Result.Delivered != 50 || r.Result.Partial || r.Result.Verdict != "ok" {
		t.Fatalf("started: error %q result %+v", r.Error, r.Result)
	}
}
