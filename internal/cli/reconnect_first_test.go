package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

// freeDaemonPort is a port where a daemon named name listened and no
// longer does, with that daemon's Spread name: a daemon started later
// with the same port has the same name.
func freeDaemonPort(t *testing.T, name string) (int, string) {
	t.Helper()
	d := spreadtest.Run(t, spreadtest.WithName(name))
	port, spreadName := d.Port(), d.SpreadName()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return port, spreadName
}

// waitNotice reads stderr lines until one contains want.
func waitNotice(t *testing.T, notices eventLines, want string) string {
	t.Helper()
	for {
		if l := notices.next(t); strings.Contains(l, want) {
			return l
		}
	}
}

// A listener started with --reconnect before its daemon retries the first
// connect, saying so on stderr, and receives once the daemon is up.
func TestListenReconnectFirstConnectWaitsForDaemon(t *testing.T) {
	port, name := freeDaemonPort(t, "late")
	f, out, _ := liveFactory(t)
	notices := make(eventLines, 1000)
	f.IOStreams.ErrOut = notices
	done := make(chan error, 1)
	go func() {
		done <- listenRun(context.Background(), &ListenOptions{Factory: f, Conn: withUser(servers(name), "x"),
			Groups: []string{"g"}, Count: 1, Output: OutputJSON, Reconnect: fastReconnect})
	}()
	l := waitNotice(t, notices, "next round in")
	if !strings.HasPrefix(l, "spgo listen: no daemon answered yet (connecting to "+name+": ") {
		t.Errorf("retry notice %q", l)
	}
	spreadtest.Run(t, spreadtest.WithName("late"), spreadtest.WithConfig(func(c *daemon.Config) { c.Port = port }))
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#late")
	waitNotice(t, notices, "spgo listen: ready as #x#late in g")
	sendOne(t, name, "g", "first")
	if m := out.nextJSON(t); m["kind"] != KindMessage || m["data"] != "first" {
		t.Fatalf("want the message, got %v", m)
	}
	if err := <-done; err != nil {
		t.Fatalf("listen: %v", err)
	}
}

// join --watch --reconnect retries its first connect too.
func TestJoinWatchReconnectFirstConnectWaitsForDaemon(t *testing.T) {
	port, name := freeDaemonPort(t, "late")
	f, out, _ := liveFactory(t)
	notices := make(eventLines, 1000)
	f.IOStreams.ErrOut = notices
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- joinRun(ctx, &JoinOptions{Factory: f, Conn: withUser(servers(name), "x"),
			Groups: []string{"g"}, Watch: true, Output: OutputText, Reconnect: fastReconnect})
	}()
	waitNotice(t, notices, "spgo join: no daemon answered yet")
	spreadtest.Run(t, spreadtest.WithName("late"), spreadtest.WithConfig(func(c *daemon.Config) { c.Port = port }))
	if l := out.next(t); !strings.HasPrefix(l, "g: join of #x#late, 1 member: #x#late") {
		t.Fatalf("first line %q", l)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// With --reconnect and no daemon within --timeout, the run is a connect
// failure (exit 3) saying how long it tried and why the last round failed.
func TestListenReconnectFirstConnectGivesUpAtTimeout(t *testing.T) {
	_, name := freeDaemonPort(t, "never")
	f, _, errOut := liveFactory(t)
	o := withUser(servers(name), "x")
	o.Timeout, o.TimeoutSet = 300*time.Millisecond, true
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Conn: o, Groups: []string{"g"}, Reconnect: fastReconnect})
	if ExitCode(err) != ExitConnect {
		t.Fatalf("err %v (exit %d), want exit 3", err, ExitCode(err))
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "no daemon answered within 300ms ("+name+", ") || !strings.Contains(msg, " rounds): connecting to "+name+": ") ||
		strings.Contains(msg, "\n") {
		t.Errorf("error %q, want one line saying how long it tried", msg)
	}
	if !strings.Contains(errOut.String(), "spgo listen: no daemon answered yet (") {
		t.Errorf("stderr lacks the retry notices:\n%s", errOut.String())
	}
}

// Without --reconnect the first failure is exit 3 at once: one attempt,
// no retry notice.
func TestListenFirstConnectFailsAtOnceWithoutReconnect(t *testing.T) {
	_, name := freeDaemonPort(t, "never")
	f, _, errOut := liveFactory(t)
	start := time.Now()
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Conn: servers(name), Groups: []string{"g"}})
	if ExitCode(err) != ExitConnect || !strings.HasPrefix(err.Error(), "connecting to "+name+": ") {
		t.Fatalf("err %v (exit %d), want exit 3 from the one attempt", err, ExitCode(err))
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("failing took %v: it retried", took)
	}
	if errOut.String() != "" {
		t.Errorf("stderr %q, want nothing", errOut.String())
	}
}
