package agent

import (
	"errors"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

func infos(n int) []Info {
	out := make([]Info, n)
	for i := range out {
		out[i] = Info{Name: string(rune('a' + i))}
	}
	return out
}

func roles(team []Assignment) string {
	s := make([]string, len(team))
	for i, a := range team {
		s[i] = a.Role()
	}
	return strings.Join(s, "; ")
}

// By default agent 1 sends and the others receive; one agent alone does
// both, and so may any agent named in both lists; numbers out of range
// are refused.
func TestAssign(t *testing.T) {
	for _, c := range []struct {
		agents int
		r      Roles
		want   string
		err    string
	}{
		{3, Roles{}, "1 sender; 1 receiver; 1 receiver", ""},
		{1, Roles{Senders: 2, Receivers: 3}, "2 senders, 3 receivers", ""},
		{3, Roles{SenderAgents: []int{2, 3}, ReceiverAgents: []int{1}, Receivers: 4}, "4 receivers; 1 sender; 1 sender", ""},
		{4, Roles{ReceiverAgents: []int{2}}, "1 sender; 1 receiver; idle; idle", ""},
		{2, Roles{ReceiverAgents: []int{3}}, "", "agent 3: allowed 1..2"},
		{2, Roles{SenderAgents: []int{0}}, "", "agent 0: allowed 1..2"},
		{2, Roles{ReceiverAgents: []int{1, 2}}, "1 sender, 1 receiver; 1 receiver", ""},
		{3, Roles{SenderAgents: []int{1, 3}, ReceiverAgents: []int{2, 3}, Senders: 2}, "2 senders; 1 receiver; 2 senders, 1 receiver", ""},
		{2, Roles{Senders: -1}, "", "-1 senders / 0 receivers per agent: want 0 (the default, 1) or more"},
	} {
		team, err := Assign(infos(c.agents), c.r)
		switch {
		case c.err != "":
			var re *RolesError
			if err == nil || !strings.HasSuffix(err.Error(), c.err) || (strings.HasPrefix(c.err, "agent") && !errors.As(err, &re)) {
				t.Errorf("%d agents, %+v: err %v, want %q", c.agents, c.r, err, c.err)
			}
		case err != nil:
			t.Errorf("%d agents, %+v: %v", c.agents, c.r, err)
		case roles(team) != c.want:
			t.Errorf("%d agents, %+v: %q, want %q", c.agents, c.r, roles(team), c.want)
		}
	}
}

// The plan rules: the rate split over the senders by their share, and
// with more than one agent the receivers expect every sender and
// acknowledge four times per window, which the senders' agents follow.
func TestPlans(t *testing.T) {
	team, err := Assign(infos(3), Roles{SenderAgents: []int{1, 2}, ReceiverAgents: []int{3}, Senders: 2, Receivers: 3})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := settings(flood.Config{Daemon: "4803", Services: []spread.ServiceType{spread.SafeMess}, Rate: 1000, Window: 100})
	if err != nil {
		t.Fatal(err)
	}
	p := newPlanner(cfg, spread.SafeMess, team)
	send, recv := p.plan(team[0]), p.plan(team[2])
	if send.Service != "safe" || send.Group != flood.DefaultGroup || send.Count != flood.DefaultCount || send.Size != flood.DefaultSize {
		t.Errorf("defaults: %+v", send)
	}
	if send.Senders != 2 || send.Receivers != 0 || send.Rate != 500 || send.AckEvery != 25 || send.RemoteReceivers != 3 || send.RemoteSenders != 4 {
		t.Errorf("senders' plan %+v", send)
	}
	if recv.Senders != 0 || recv.Receivers != 3 || recv.Rate != 0 || recv.AckEvery != 25 || recv.RemoteReceivers != 0 || recv.RemoteSenders != 4 {
		t.Errorf("receivers' plan %+v", recv)
	}
	if h := header(cfg, team); h.Senders != 4 || h.Receivers != 3 || h.Window != 100 || h.Rate != 1000 {
		t.Errorf("header %+v", h)
	}
	mixed, err := Assign(infos(2), Roles{SenderAgents: []int{1}, ReceiverAgents: []int{1, 2}, Senders: 3, Receivers: 2})
	if err != nil {
		t.Fatal(err)
	}
	mp := newPlanner(cfg, spread.SafeMess, mixed)
	if both := mp.plan(mixed[0]); !both.HoldSenders || both.Senders != 3 || both.Receivers != 2 || both.RemoteSenders != 3 ||
		both.RemoteReceivers != 4 || both.Rate != 1000 || both.AckEvery != 25 {
		t.Errorf("plan of an agent with both roles %+v", both)
	}
	if recvOnly := mp.plan(mixed[1]); recvOnly.HoldSenders || recvOnly.RemoteReceivers != 0 || recvOnly.RemoteSenders != 3 {
		t.Errorf("receivers' plan beside it %+v", recvOnly)
	}
	alone, _ := Assign(infos(1), Roles{})
	if pl := newPlanner(cfg, spread.SafeMess, alone).plan(alone[0]); pl.AckEvery != 0 || pl.RemoteSenders != 0 || pl.Rate != 1000 || pl.HoldSenders {
		t.Errorf("one agent's plan %+v", pl)
	}
}

// A plan says its role in the same words, pluralised.
func TestPlanRole(t *testing.T) {
	for plan, want := range map[Plan]string{
		{Senders: 1}: "1 sender", {Receivers: 1}: "1 receiver", {Receivers: 3}: "3 receivers",
		{Senders: 2, Receivers: 1}: "2 senders, 1 receiver", {}: "idle",
	} {
		if got := plan.Role(); got != want {
			t.Errorf("%d senders, %d receivers: %q, want %q", plan.Senders, plan.Receivers, got, want)
		}
	}
}

// An agent's events read as one log line each.
func TestEventString(t *testing.T) {
	for _, c := range []struct {
		e    Event
		want string
	}{
		{Event{Kind: EventReady, Name: "#a#d1", Control: "ctl"}, "ready as #a#d1 in ctl"},
		{Event{Kind: EventRunStarted, Run: "r.0", Plan: &Plan{Service: "fifo", Receivers: 2}}, "run r.0: fifo, 2 receivers"},
		{Event{Kind: EventSendFailed, Run: "r.0", Err: errors.New("closed")}, "run r.0: sending to the coordinator: closed"},
		{Event{Kind: EventRefused, Run: "r.1", Err: errors.New("busy")}, "run r.1: refused: busy"},
		{Event{Kind: EventRunDone, Run: "r.1"}, "run r.1: run done"},
		{Event{Kind: EventGarbage, Control: "ctl"}, "a message on ctl that is not a coordinator's, ignored"},
	} {
		if got := c.e.String(); got != c.want {
			t.Errorf("%s: %q, want %q", c.e.Kind, got, c.want)
		}
	}
}
