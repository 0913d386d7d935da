package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/daemon"
)

func quiet(cmd *cobra.Command, args ...string) *cobra.Command {
	cmd.SetArgs(args)
	cmd.SetOut(new(strings.Builder))
	cmd.SetErr(new(strings.Builder))
	return cmd
}

func TestJoinFlags(t *testing.T) {
	f, _ := testFactory(t, nil)
	var got *JoinOptions
	cmd := quiet(NewCmdJoin(f, func(_ context.Context, o *JoinOptions) error { got = o; return nil }),
		"-w", "--timeout", "1m", "-o", "json", "--ready-file", "r", "a", "b")
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.Watch || got.Conn.Timeout != time.Minute || !got.Conn.TimeoutSet || got.Output != OutputJSON || got.ReadyFile != "r" || len(got.Groups) != 2 {
		t.Errorf("%+v", got)
	}
	if err := quiet(NewCmdJoin(f, nil)).Execute(); ExitCode(err) != ExitUsage {
		t.Errorf("no group: %v", err)
	}
	if err := quiet(NewCmdJoin(f, nil), "-o", "yaml", "g").Execute(); ExitCode(err) != ExitUsage {
		t.Errorf("-o yaml: %v", err)
	}
}

func TestPollFlags(t *testing.T) {
	f, _ := testFactory(t, nil)
	var got *PollOptions
	cmd := quiet(NewCmdPoll(f, func(_ context.Context, o *PollOptions) error { got = o; return nil }), "--wait", "2s", "g")
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Wait != 2*time.Second || got.Groups[0] != "g" || got.Output != OutputText {
		t.Errorf("%+v", got)
	}
	// Negative durations are refused for every command by the root's one
	// rule (durationflag.go), so the check goes through the root.
	if err := quiet(NewCmdRoot(f), "poll", "--wait", "-1s", "g").Execute(); ExitCode(err) != ExitUsage {
		t.Errorf("negative wait: %v", err)
	}
}

func TestConnectFlags(t *testing.T) {
	f, _ := testFactory(t, nil)
	f.Getenv = func(k string) string { return map[string]string{"XDG_STATE_HOME": "/state"}[k] }
	var got *ConnectOptions
	cmd := quiet(NewCmdConnect(f, func(_ context.Context, o *ConnectOptions) error { got = o; return nil }), "-u", "me")
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.History != "/state/spgo/history" || got.Interactive || got.Conn.User != "me" {
		t.Errorf("%+v", got)
	}
	cmd = quiet(NewCmdConnect(f, func(_ context.Context, o *ConnectOptions) error { got = o; return nil }), "--no-history")
	if err := cmd.Execute(); err != nil || got.History != "" {
		t.Errorf("--no-history: %v %q", err, got.History)
	}
	f.Getenv = func(k string) string { return map[string]string{"HOME": "/home/u"}[k] }
	if p := historyPath(f); p != "/home/u/.spgo_history" {
		t.Errorf("history without XDG_STATE_HOME: %q", p)
	}
}

func TestDaemonFlagsAndRun(t *testing.T) {
	f, io := testFactory(t, nil)
	var got *DaemonOptions
	cmd := quiet(NewCmdDaemon(f, func(_ context.Context, o *DaemonOptions) error { got = o; return nil }),
		"--listen", "0.0.0.0", "--port", "0", "--no-unix", "--name", "dn", "--max-sessions", "5", "--max-queue", "7", "--log-level", "debug")
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Host != "0.0.0.0" || got.Port != 0 || !got.NoUnix || got.Name != "dn" || got.MaxSessions != 5 || got.MaxQueue != 7 || got.LogLevel != "debug" {
		t.Errorf("%+v", got)
	}

	// The run: starts, writes the ready file, stops cleanly when the
	// context ends (SIGINT/SIGTERM in Main).
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var started *daemon.Daemon
	opts := &DaemonOptions{Factory: f, Port: 0, SocketDir: dir, Name: "dn", LogLevel: "info", ReadyFile: ready,
		Start: func(c daemon.Config) (*daemon.Daemon, error) {
			d, err := daemon.Start(c)
			started = d
			return d, err
		}}
	go func() { done <- daemonRun(ctx, opts) }()
	if !pollUntil(10*time.Second, func() bool { _, err := os.Stat(ready); return err == nil }) {
		t.Fatal("no ready file after 10s")
	}
	b, _ := os.ReadFile(ready)
	if want := started.SpreadName() + "\n"; string(b) != want {
		t.Errorf("ready file %q, want %q", b, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if log := io.err.String(); !strings.Contains(log, `msg="daemon started" name=dn`) || !strings.Contains(log, "msg=stopping") {
		t.Errorf("log:\n%s", log)
	}
}

func TestDaemonStartError(t *testing.T) {
	f, _ := testFactory(t, nil)
	err := daemonRun(context.Background(), &DaemonOptions{Factory: f, Name: "bad name", LogLevel: "info", Start: daemon.Start})
	if err == nil || ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), `name "bad name"`) {
		t.Errorf("err %v", err)
	}
}

// A TCP port another program listens on is a usage error, one line, as a
// Unix socket in use is.
func TestDaemonPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	f, _ := testFactory(t, nil)
	err = daemonRun(context.Background(), &DaemonOptions{Factory: f, Host: "127.0.0.1", Port: port, NoUnix: true, NoMonitor: true,
		Name: "busy", LogLevel: "info", Start: daemon.Start})
	want := fmt.Sprintf("daemon: tcp 127.0.0.1:%d: port is in use; stop what listens there or choose another port", port)
	if ExitCode(err) != ExitUsage || err.Error() != want {
		t.Errorf("exit %d, %v; want exit 2, %s", ExitCode(err), err, want)
	}
}

func TestCompletionFromHistory(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, "spgo", "history")
	os.MkdirAll(filepath.Dir(hist), 0o700)
	os.WriteFile(hist, []byte("join chat news\nsend -S agreed chat -- hello x\nj chat\nbogus ignored\nleave old\nm #p#d\nb burstg 100 3\n"), 0o600)
	if got := strings.Join(historyGroups(hist), ","); got != "burstg,old,chat,news" {
		t.Errorf("history groups %q", got)
	}
	f, _ := testFactory(t, nil)
	f.Getenv = func(k string) string { return map[string]string{"XDG_STATE_HOME": dir}[k] }
	got, _ := completeGroups(f)(nil, []string{"chat"}, "")
	if strings.Join(got, ",") != "burstg,old,news" {
		t.Errorf("completion %q", got)
	}
}
