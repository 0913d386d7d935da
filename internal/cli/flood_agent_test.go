package cli

import (
	"context"
	"encoding/json"
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
		{"--control", "x"},              // needs --agents
		{"--agents", "2", "--embedded"}, // agents place the sessions
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

// floodCmdOut runs spgo flood with exactly args (no -m added, so that
// --duration may be given).
func floodCmdOut(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	cmd := NewCmdFlood(&Factory{IOStreams: ios, Getenv: func(string) string { return "" }}, nil)
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// An agent named in --agent-senders and --agent-receivers runs both, and
// --duration works with --agents: the JSON names each agent's role, the
// run's duration, and every receiver got all that was sent.
func TestFloodAgentsBothRolesForADuration(t *testing.T) {
	server := spreadtest.Run(t).SpreadName()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, done1 := startAgent(t, ctx, server)
	_, done2 := startAgent(t, ctx, server)
	out, errOut, err := floodCmdOut(t, "-s", server, "--agents", "2", "--agent-senders", "1,2", "--agent-receivers", "2",
		"--duration", "300ms", "--rate", "2000", "-b", "200", "--services", "fifo", "-o", "json", "--progress", "never")
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut)
	}
	var doc struct {
		Env struct {
			Agents []struct {
				Role     string `json:"role"`
				Services []struct {
					Sent, Delivered int64
					Verdict         string
				} `json:"services"`
			} `json:"agents"`
		} `json:"env"`
		Points []struct {
			Results struct {
				Duration int64 `json:"duration_ns"`
				Services []struct {
					Sent, Delivered, Lost int64
					Verdict               string
				} `json:"services"`
			} `json:"results"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Points) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	results := doc.Points[0].Results
	var roles []string
	for _, a := range doc.Env.Agents {
		roles = append(roles, a.Role)
	}
	if strings.Join(roles, "; ") != "1 sender; 1 sender, 1 receiver" {
		t.Errorf("roles %q", roles)
	}
	if results.Duration != int64(300*time.Millisecond) || len(results.Services) != 1 {
		t.Fatalf("results %+v", results)
	}
	if s := results.Services[0]; s.Sent < 100 || s.Delivered != s.Sent || s.Lost != 0 || s.Verdict != "ok" {
		t.Errorf("fifo: %+v", s)
	}
	cancel()
	<-done1
	<-done2
}
