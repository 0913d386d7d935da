package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// startAgent runs `spgo flood agent` in this process against server; its
// stderr lines are handed over. Cancel ctx to stop it.
func startAgent(t *testing.T, ctx context.Context, server string) (eventLines, chan error) {
	t.Helper()
	lines, done, _ := startAgentNamed(t, ctx, server)
	return lines, done
}

// startAgentNamed is startAgent that also returns the agent's private name.
func startAgentNamed(t *testing.T, ctx context.Context, server string) (eventLines, chan error, string) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	lines := make(eventLines, 100)
	ios.ErrOut = lines
	f := &Factory{IOStreams: ios, Getenv: func(string) string { return "" }}
	done := make(chan error, 1)
	go func() {
		done <- floodAgentRun(ctx, &FloodAgentOptions{Factory: f, Conn: ConnOptions{Server: server, Timeout: 5 * time.Second}, Control: DefaultControlGroup})
	}()
	l := lines.next(t)
	if !strings.HasPrefix(l, "spgo flood agent: ready as #") {
		t.Fatalf("agent said %q", l)
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(l, "spgo flood agent: ready as #"), "#")
	return lines, done, name
}

// An agent lost mid-run (its session cut, so it cannot say anything) is
// reported by name and host, and not waited for.
func TestFloodAgentLostMidRun(t *testing.T) {
	d := spreadtest.Run(t)
	server := d.SpreadName()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, done1 := startAgent(t, ctx, server)
	lines2, done2, name2 := startAgentNamed(t, ctx, server)
	result := make(chan struct {
		out, errOut string
		err         error
	}, 1)
	go func() {
		out, errOut, err := floodOut(t, "-s", server, "--agents", "2", "-m", "200000", "--rate", "20000", "--services", "fifo")
		result <- struct {
			out, errOut string
			err         error
		}{out, errOut, err}
	}()
	// Whichever role the second agent got, once it runs, it goes.
	for l := lines2.next(t); !strings.Contains(l, ": run "); l = lines2.next(t) {
	}
	if !d.KillSession(name2) {
		t.Fatalf("no session %s", name2)
	}
	if err := <-done2; ExitCode(err) != ExitConnectLost {
		t.Fatalf("agent whose session was cut: %v", err)
	}
	r := <-result
	if ExitCode(r.err) != ExitError || !strings.Contains(r.errOut, "was lost mid-run: it left control group spgo-flood-ctl") {
		t.Fatalf("err %v (exit %d), stderr %q", r.err, ExitCode(r.err), r.errOut)
	}
	cancel()
	<-done1
}

// A plan from another spgo version gets a one-line error, and a second
// coordinator's plan while the agent is busy gets another.
func TestFloodAgentRefusesOtherVersionAndSecondCoordinator(t *testing.T) {
	server := spreadtest.Run(t).SpreadName()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, done := startAgent(t, ctx, server)
	coord, err := spread.Connect(server, spread.WithMembership(true))
	if err != nil {
		t.Fatal(err)
	}
	defer coord.Disconnect()
	agentName := probe(t, coord).from
	plan := func(run, version string, p *agentPlan) agentMsg {
		b, _ := json.Marshal(agentMsg{Kind: agentKindPlan, Proto: agentProto, Version: version, Run: run, Plan: p})
		if err := coord.Multicast(spread.AgreedMess, agentName, b, agentMsgType); err != nil {
			t.Fatal(err)
		}
		return nextResult(t, coord, run)
	}
	r := plan("old", "v0.0.1", &agentPlan{Service: "fifo", Group: "g", Count: 10, Size: 100, Receivers: 1, RemoteSenders: 1})
	if !strings.Contains(r.Error, "the coordinator is v0.0.1 (protocol 1): run the same spgo on every host") || strings.Contains(r.Error, "\n") {
		t.Errorf("version mismatch: %q", r.Error)
	}
	r = plan("bad", agentVersion(), &agentPlan{Service: "ordered", Group: "g", Count: 10, Size: 100, Receivers: 1})
	if !strings.Contains(r.Error, "cannot carry out the plan") {
		t.Errorf("bad plan: %q", r.Error)
	}
	// A plan it can carry out keeps it busy: a read-only run waiting for
	// two members that never come.
	b, _ := json.Marshal(agentMsg{Kind: agentKindPlan, Proto: agentProto, Version: agentVersion(), Run: "first",
		Plan: &agentPlan{Service: "fifo", Group: "g", Count: 10, Size: 100, Receivers: 1, RemoteSenders: 1, Members: 2, Stall: time.Second}})
	if err := coord.Multicast(spread.AgreedMess, agentName, b, agentMsgType); err != nil {
		t.Fatal(err)
	}
	// The agent answers probes and plans in order: once a probe says busy,
	// a second coordinator's plan is refused.
	for {
		if h := probe(t, coord).msg; h.Busy == "first" {
			break
		}
	}
	r = plan("second", agentVersion(), &agentPlan{Service: "fifo", Group: "g2", Count: 10, Size: 100, Receivers: 1, RemoteSenders: 1})
	if !strings.Contains(r.Error, "is busy with run first of another coordinator") {
		t.Errorf("second coordinator: %q", r.Error)
	}
	ab, _ := json.Marshal(agentMsg{Kind: agentKindAbort, Proto: agentProto, Version: agentVersion(), Run: "first"})
	if err := coord.Multicast(spread.AgreedMess, agentName, ab, agentMsgType); err != nil {
		t.Fatal(err)
	}
	if r := nextResult(t, coord, "first"); !strings.HasSuffix(r.Error, ": the run was aborted before it started") {
		t.Errorf("aborted run: error %q result %+v", r.Error, r.Result)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("agent: %v", err)
	}
}

// probe asks the control group who is there and returns the first
// agent's hello.
func probe(t *testing.T, coord *spread.Mailbox) fromMsg {
	t.Helper()
	b, _ := json.Marshal(agentMsg{Kind: agentKindProbe, Proto: agentProto, Version: agentVersion(), Run: "probe"})
	if err := coord.Multicast(spread.AgreedMess, DefaultControlGroup, b, agentMsgType); err != nil {
		t.Fatal(err)
	}
	for {
		if m := nextAgentMsg(t, coord); m.msg.Kind == agentKindHello {
			return m
		}
	}
}

func nextResult(t *testing.T, coord *spread.Mailbox, run string) agentMsg {
	t.Helper()
	for {
		m := nextAgentMsg(t, coord)
		if m.msg.Kind == agentKindResult && m.msg.Run == run {
			return m.msg
		}
	}
}

type fromMsg struct {
	from string
	msg  agentMsg
}

func nextAgentMsg(t *testing.T, mb *spread.Mailbox) fromMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		msg, err := mb.ReceiveContext(ctx)
		if err != nil {
			t.Fatalf("waiting for an agent message: %v", err)
		}
		if rm, ok := msg.(*spread.RegularMessage); ok {
			if m, ok := readAgentMsg(rm); ok {
				return fromMsg{rm.Sender, m}
			}
		}
	}
}

func TestFloodAgentUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--control", "x"},                    // needs --agents
		{"--agents", "2", "--embedded"},       // agents place the sessions
		{"--agents", "2", "--duration", "1s"}, // counts only
		{"--agents", "2", "--receivers-at", "4803"},
		{"--agents", "2", "--control", "a b"}, // not a group name
		{"--agents", "2", "--agent-wait", "0"},
	} {
		if _, code := parseFlood(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
