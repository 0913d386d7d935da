package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// Two agents, one sender and one receiver, flood two service types: the
// merged results count every message once, each agent's part is its
// side, and every client names its agent.
func TestRunMergesTheAgentsParts(t *testing.T) {
	server := newDaemon(t)
	a1, a2 := startAgent(t, server, Agent{}), startAgent(t, server, Agent{})
	c := newCoordinator(t, server, Options{})
	team := findTeam(t, c, 2)
	out, err := c.Run(context.Background(), team, flood.Config{Daemon: server, Group: "g",
		Services: []spread.ServiceType{spread.FIFOMess, spread.AgreedMess}, Count: 300, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Results
	if r.Senders != 1 || r.Receivers != 1 || r.Count != 300 || r.Size != 100 || r.Group != "g" || r.Daemon != server {
		t.Errorf("header: %+v", r)
	}
	if len(r.Services) != 2 || r.Services[0].Service != "FIFO" || r.Services[1].Service != "AGREED" {
		t.Fatalf("services: %+v", r.Services)
	}
	names := map[string]bool{a1.name: true, a2.name: true}
	for _, s := range r.Services {
		if s.Sent != 300 || s.Delivered != 300 || s.Lost != 0 || s.Verdict != "ok" || s.Group != "g-"+strings.ToLower(s.Service) {
			t.Errorf("%s: sent %d delivered %d lost %d verdict %q group %q", s.Service, s.Sent, s.Delivered, s.Lost, s.Verdict, s.Group)
		}
		for _, cl := range s.Clients {
			if !names[cl.Agent] {
				t.Errorf("%s: client %s names agent %q", s.Service, cl.Name, cl.Agent)
			}
		}
	}
	if len(out.Agents) != 2 || out.Agents[0].Role != "1 sender" || out.Agents[1].Role != "1 receiver" {
		t.Fatalf("agents: %+v", out.Agents)
	}
	for _, a := range out.Agents {
		if len(a.Services) != 2 || a.Daemon != server || a.Version == "" || a.Garbage != 0 {
			t.Errorf("agent %+v", a)
		}
	}
	if s := out.Agents[0].Services[0]; s.Sent != 300 || s.MsgRate <= 0 {
		t.Errorf("the sender's part: %+v", s)
	}
	// A receivers' agent does not know what was sent: no planned count
	// in its Sent.
	if s := out.Agents[1].Services[1]; s.Delivered != 300 || s.Verdict != "ok" || s.Sent != 0 || out.Agents[1].Receivers != 1 {
		t.Errorf("the receiver's part: %+v", s)
	}
}

// An agent whose session is cut mid-run is reported lost by name, the
// coordinator does not wait for it, the other agent is told to abort (its
// partial result is merged) and is idle again.
func TestRunReportsALostAgent(t *testing.T) {
	d := spreadtest.Run(t)
	server := d.SpreadName()
	sender, receiver := startAgent(t, server, Agent{}), startAgent(t, server, Agent{})
	c := newCoordinator(t, server, Options{})
	team := findTeam(t, c, 2)
	if team[1].Name != receiver.name {
		sender, receiver = receiver, sender
	}
	type result struct {
		out *Outcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		// At 1000 msg/s this flood would last 1000 s.
		out, err := c.Run(context.Background(), team, flood.Config{Daemon: server, Services: []spread.ServiceType{spread.FIFOMess},
			Count: 1_000_000, Size: 100, Rate: 1000, Stall: time.Hour})
		done <- result{out, err}
	}()
	sender.await(t, EventJoined) // after every receiver said ready
	receiver.lost = true
	if !d.KillSession(receiver.name) {
		t.Fatalf("no session %s", receiver.name)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(testWait):
		t.Fatalf("Run still waits %s after its receivers' agent was lost", testWait)
	}
	var ae *AgentError
	if !errors.Is(r.err, ErrAgentLost) || !errors.As(r.err, &ae) || ae.Name != receiver.name {
		t.Fatalf("err %v", r.err)
	}
	if want := "agent " + receiver.name + " ("; !strings.HasPrefix(ae.Error(), want) ||
		!strings.Contains(ae.Error(), ") was lost mid-run: it left control group spgo-flood-ctl") {
		t.Errorf("message %q", ae.Error())
	}
	var se *SessionError
	<-receiver.ended
	if !errors.As(receiver.err, &se) {
		t.Errorf("the lost agent's Serve: %v", receiver.err)
	}
	if r.out == nil || len(r.out.Agents) != 2 || len(r.out.Results.Services) != 1 || !r.out.Results.Services[0].Partial {
		t.Fatalf("outcome %+v (err %v)", r.out, r.err)
	}
	// Stopped by the lost agent, not interrupted by the caller: disturbed,
	// saying by what, with no bare "context canceled" warning.
	if s := r.out.Agents[0].Services; r.out.Agents[0].Name != sender.name || len(s) != 1 || s[0].Verdict != flood.VerdictDisturbed {
		t.Errorf("the aborted sender's part: %+v", r.out.Agents[0])
	}
	merged := r.out.Results.Services[0]
	if want := "agent " + receiver.name + " (" + team[1].Host + ") was lost mid-run"; merged.Stopped != want ||
		merged.Verdict != flood.VerdictDisturbed || len(merged.Warnings) != 0 {
		t.Errorf("merged: stopped %q (want %q), verdict %q, warnings %q", merged.Stopped, want, merged.Verdict, merged.Warnings)
	}
	if _, err := c.Find(context.Background(), 1); err != nil {
		t.Errorf("the surviving agent: %v", err)
	}
}

// An agent of another version refuses the plan, and Run says which agent
// and why.
func TestRunReportsAVersionMismatch(t *testing.T) {
	server := newDaemon(t)
	old := startAgent(t, server, Agent{Version: "v0.0.1"})
	c := newCoordinator(t, server, Options{Version: "v0.0.2"})
	team := findTeam(t, c, 1)
	if team[0].Version != "v0.0.1" || team[0].Role() != "1 sender, 1 receiver" {
		t.Errorf("found %+v (%s)", team[0], team[0].Role())
	}
	out, err := c.Run(context.Background(), team, flood.Config{Daemon: server, Services: []spread.ServiceType{spread.FIFOMess}, Count: 10})
	var fe *FailuresError
	if !errors.Is(err, ErrVersionMismatch) || !errors.As(err, &fe) || len(fe.Failures) != 1 || fe.Failures[0].Name != old.name {
		t.Fatalf("err %v", err)
	}
	want := fmt.Sprintf("agent %s is spgo v0.0.1 (agent protocol %d); the coordinator is v0.0.2 (protocol %d): run the same spgo on every host",
		old.name, ProtocolVersion, ProtocolVersion)
	if !strings.HasSuffix(err.Error(), want) {
		t.Errorf("err %q, want it to end %q", err, want)
	}
	if len(out.Results.Services) != 0 {
		t.Errorf("results of a refused run: %+v", out.Results.Services)
	}
	old.await(t, EventRefused)
}

// A second coordinator on the same control group finds the first one's
// agents busy, and finds them again once the first one's run is over.
func TestSecondCoordinatorFindsTheAgentsBusy(t *testing.T) {
	server := newDaemon(t)
	a1, a2 := startAgent(t, server, Agent{}), startAgent(t, server, Agent{})
	first := newCoordinator(t, server, Options{})
	team := findTeam(t, first, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := first.Run(ctx, team, flood.Config{Daemon: server, Services: []spread.ServiceType{spread.FIFOMess},
			Count: 1_000_000, Size: 100, Rate: 1000})
		done <- err
	}()
	a1.await(t, EventRunStarted)
	a2.await(t, EventRunStarted)
	second := newCoordinator(t, server, Options{Wait: 500 * time.Millisecond})
	_, err := second.Find(context.Background(), 1)
	var few *TooFewAgentsError
	if !errors.Is(err, ErrTooFewAgents) || !errors.As(err, &few) || few.Found != 0 || few.Busy != 2 || few.Want != 1 {
		t.Fatalf("second coordinator's Find: %v", err)
	}
	want := "0 of 1 agents answered in 500ms on control group spgo-flood-ctl (2 more busy with another coordinator's run)"
	if err.Error() != want {
		t.Errorf("err %q, want %q", err, want)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("the first coordinator's interrupted Run: %v", err)
	}
	a1.await(t, EventRunDone)
	a2.await(t, EventRunDone)
	second = newCoordinator(t, server, Options{})
	if found := findTeam(t, second, 2); len(found) != 2 {
		t.Errorf("found %d agents", len(found))
	}
}

// Messages on the control group that are not a coordinator's are counted
// by every agent and reported in its result; the run goes on.
func TestGarbageIsCountedNotFatal(t *testing.T) {
	server := newDaemon(t)
	a1, a2 := startAgent(t, server, Agent{}), startAgent(t, server, Agent{})
	mb, err := spread.Connect(server)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Disconnect()
	for _, m := range []struct {
		msgType int16
		data    string
	}{{1, "not a plan"}, {MsgType, "{not json"}, {MsgType, `{"kind":"dance","proto":1}`}} {
		if err := mb.Multicast(spread.AgreedMess, DefaultControlGroup, []byte(m.data), m.msgType); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []*runningAgent{a1, a2} {
		for range 3 {
			a.await(t, EventGarbage)
		}
	}
	c := newCoordinator(t, server, Options{})
	out, err := c.Run(context.Background(), findTeam(t, c, 2), flood.Config{Daemon: server, Services: []spread.ServiceType{spread.ReliableMess}, Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.Agents {
		if a.Garbage != 3 {
			t.Errorf("agent %s counted %d garbage messages, want 3", a.Name, a.Garbage)
		}
	}
	if s := out.Results.Services[0]; s.Delivered != 100 || s.Verdict != "ok" {
		t.Errorf("run: delivered %d, %s", s.Delivered, s.Verdict)
	}
}

// Find with too few agents says how many answered; a bad count or a
// flood Run cannot do are refused before anything is sent.
func TestFindAndRunRefuseBadInput(t *testing.T) {
	server := newDaemon(t)
	startAgent(t, server, Agent{})
	c := newCoordinator(t, server, Options{Wait: 300 * time.Millisecond, Control: DefaultControlGroup})
	if _, err := c.Find(context.Background(), 0); err == nil || !strings.Contains(err.Error(), "want 1 or more") {
		t.Errorf("Find 0: %v", err)
	}
	_, err := c.Find(context.Background(), 2)
	if err == nil || err.Error() != "1 of 2 agents answered in 300ms on control group spgo-flood-ctl" {
		t.Errorf("Find 2: %v", err)
	}
	team := findTeam(t, c, 1)
	var ce *flood.ConfigError
	for _, cfg := range []flood.Config{{Count: 10, Duration: time.Second}, {Size: 1}, {Rate: -1}} {
		if out, err := c.Run(context.Background(), team, cfg); !errors.As(err, &ce) || out != nil {
			t.Errorf("Run %+v: %v", cfg, err)
		}
	}
	if got := c.Options(); got.Timeout != DefaultTimeout || got.Version == "" {
		t.Errorf("options %+v", got)
	}
}
