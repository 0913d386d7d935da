package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood/agent"
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
		done <- floodAgentRun(ctx, &FloodAgentOptions{Factory: f, Conn: ConnOptions{Server: server, Timeout: 5 * time.Second}, Control: agent.DefaultControlGroup})
	}()
	l := lines.next(t)
	if !strings.HasPrefix(l, "spgo flood agent: ready as #") {
		t.Fatalf("agent said %q", l)
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(l, "spgo flood agent: ready as #"), "#")
	return lines, done, name
}

// An agent lost mid-run (its session cut, so it cannot say anything) is
// reported by name and host, not waited for, and ends the run with its
// own exit code.
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
	if ExitCode(r.err) != ExitAgentLost || !strings.Contains(r.errOut, "was lost mid-run: it left control group spgo-flood-ctl") {
		t.Fatalf("err %v (exit %d), stderr %q", r.err, ExitCode(r.err), r.errOut)
	}
	cancel()
	<-done1
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

// Each agent's log line says its part of the run in words, pluralised:
// "fifo, 1 sender", not "1 senders, 0 receivers".
func TestFloodAgentLogsItsRole(t *testing.T) {
	server := spreadtest.Run(t).SpreadName()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lines1, done1 := startAgent(t, ctx, server)
	lines2, done2 := startAgent(t, ctx, server)
	if _, errOut, err := floodOut(t, "-s", server, "--agents", "2", "-m", "100", "--services", "fifo"); err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut)
	}
	var roles []string
	for _, lines := range []eventLines{lines1, lines2} {
		l := lines.next(t)
		_, role, ok := strings.Cut(l, ": fifo, ")
		if !strings.HasPrefix(l, "spgo flood agent: run ") || !ok {
			t.Fatalf("agent said %q, want its run line", l)
		}
		roles = append(roles, strings.TrimSpace(role))
	}
	slices.Sort(roles)
	if strings.Join(roles, "; ") != "1 receiver; 1 sender" {
		t.Errorf("roles %q, want one sender and one receiver", roles)
	}
	cancel()
	<-done1
	<-done2
}
