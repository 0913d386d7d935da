package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// eventLines is an io.Writer that hands over every write; printers write
// one event per write, so a test can wait for each event as it is printed.
type eventLines chan string

func (c eventLines) Write(p []byte) (int, error) {
	c <- string(p)
	return len(p), nil
}

// next is the next line written, or a failure if none comes.
func (c eventLines) next(t *testing.T) string {
	t.Helper()
	select {
	case l := <-c:
		return l
	case <-time.After(10 * time.Second):
		t.Fatal("no output line in 10s")
		return ""
	}
}

// nextJSON is the next line, decoded as one JSON object.
func (c eventLines) nextJSON(t *testing.T) map[string]any {
	t.Helper()
	l := c.next(t)
	var m map[string]any
	if err := json.Unmarshal([]byte(l), &m); err != nil {
		t.Fatalf("line %q: %v", l, err)
	}
	return m
}

// liveFactory is a factory over real pkg/spread sessions whose stdout is
// handed over line by line and whose stderr is kept.
func liveFactory(t *testing.T) (*Factory, eventLines, *syncBuffer) {
	t.Helper()
	ios, _, _, errOut := iostreams.Test()
	out := make(eventLines, 1000)
	se := &syncBuffer{b: errOut}
	ios.Out, ios.ErrOut = out, se
	return &Factory{IOStreams: ios, Connect: spreadConnect, Now: time.Now, Getenv: func(string) string { return "" }}, out, se
}

// fastReconnect keeps tests quick: pauses of a millisecond or two.
var fastReconnect = ReconnectOptions{Enabled: true, Wait: time.Millisecond, MaxWait: 4 * time.Millisecond}

func servers(names ...string) ConnOptions {
	return ConnOptions{Server: names[0], Servers: names, Timeout: 5 * time.Second}
}

func wantOwnJoin(t *testing.T, m map[string]any, group, me string) {
	t.Helper()
	changed, _ := m["changed"].([]any)
	if m["kind"] != KindMembership || m["cause"] != "join" || m["group"] != group || len(changed) != 1 || changed[0] != me {
		t.Fatalf("want the join of %s to %s, got %v", me, group, m)
	}
}

func sendOne(t *testing.T, server, group, text string) {
	t.Helper()
	mb, err := spread.Connect(server)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Disconnect()
	if err := mb.Multicast(spread.AgreedMess, group, []byte(text), 1); err != nil {
		t.Fatal(err)
	}
}

// A listener on daemon a, with b next in its list, moves to b when a goes
// away: it reports the gap, joins again, and receives what is sent at b.
func TestListenReconnectsToNextDaemon(t *testing.T) {
	a := spreadtest.Run(t, spreadtest.WithName("a"))
	b := spreadtest.Run(t, spreadtest.WithName("b"))
	f, out, errOut := liveFactory(t)
	ready := filepath.Join(t.TempDir(), "ready")
	done := make(chan error, 1)
	go func() {
		done <- listenRun(context.Background(), &ListenOptions{Factory: f, Conn: withUser(servers(a.SpreadName(), b.SpreadName()), "x"),
			Groups: []string{"g"}, Count: 1, Output: OutputJSON, ReadyFile: ready, Reconnect: fastReconnect})
	}()
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#a")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	r := out.nextJSON(t)
	if r["kind"] != KindReconnected || r["old_daemon"] != a.SpreadName() || r["new_daemon"] != b.SpreadName() ||
		r["old_private_group"] != "#x#a" || r["new_private_group"] != "#x#b" {
		t.Fatalf("reconnected event %v", r)
	}
	if gone, ok := r["gone_seconds"].(float64); !ok || gone < 0 {
		t.Errorf("gone_seconds %v", r["gone_seconds"])
	}
	if !strings.Contains(r["reason"].(string), "closed") {
		t.Errorf("reason %q does not say the connection closed", r["reason"])
	}
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#b")
	sendOne(t, b.SpreadName(), "g", "after")
	if m := out.nextJSON(t); m["kind"] != KindMessage || m["data"] != "after" {
		t.Fatalf("want the message sent at b, got %v", m)
	}
	if err := <-done; err != nil {
		t.Fatalf("listen: %v", err)
	}
	if got, _ := os.ReadFile(ready); string(got) != "#x#b\n" {
		t.Errorf("ready file %q after the reconnect, want the new private group", got)
	}
	for _, want := range []string{"spgo listen: ready as #x#a in g\n", "spgo listen: lost " + a.SpreadName(),
		"reconnecting\n", "spgo listen: ready as #x#b in g\n"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
}

func withUser(o ConnOptions, user string) ConnOptions {
	o.User = user
	return o
}

// A listener whose only daemon crashes keeps trying it, backing off, and
// is back when the node restarts; members elsewhere in the ring see it
// leave and join again.
func TestListenReconnectsAcrossCrashedNode(t *testing.T) {
	ring := spreadtest.Ring(t, 3)
	d1, d3 := ring.Node("d1"), ring.Node("d3")
	watcher, err := spread.Connect(d3.SpreadName(), spread.WithName("w"), spread.WithMembership(true))
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Disconnect()
	if err := watcher.Join("g"); err != nil {
		t.Fatal(err)
	}
	f, out, _ := liveFactory(t)
	notices := make(eventLines, 1000)
	f.IOStreams.ErrOut = notices
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- listenRun(ctx, &ListenOptions{Factory: f, Conn: withUser(servers(d1.SpreadName()), "x"),
			Groups: []string{"g"}, Output: OutputJSON, Reconnect: fastReconnect})
	}()
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#d1")
	waitMembers(t, watcher, "g", "#w#d3", "#x#d1")
	if err := ring.Crash("d1"); err != nil {
		t.Fatal(err)
	}
	waitMembers(t, watcher, "g", "#w#d3")
	// The listener retries d1, pausing between rounds, until it is back.
	for l := notices.next(t); !strings.Contains(l, "next round in"); l = notices.next(t) {
	}
	if err := ring.Restart("d1"); err != nil {
		t.Fatal(err)
	}
	r := out.nextJSON(t)
	if r["kind"] != KindReconnected || r["old_daemon"] != d1.SpreadName() || r["new_daemon"] != d1.SpreadName() ||
		r["new_private_group"] != "#x#d1" {
		t.Fatalf("reconnected event %v", r)
	}
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#d1")
	waitMembers(t, watcher, "g", "#w#d3", "#x#d1")
	cancel()
	if err := <-done; ExitCode(err) != ExitOK {
		t.Fatalf("listen after interrupt: %v (exit %d)", err, ExitCode(err))
	}
}

// waitMembers reads mb's messages until a membership of group has exactly
// members, in any order.
func waitMembers(t *testing.T, mb *spread.Mailbox, group string, members ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		m, err := mb.ReceiveContext(ctx)
		if err != nil {
			t.Fatalf("waiting for %s to be %v: %v", group, members, err)
		}
		if mm, ok := m.(*spread.MembershipMessage); ok && mm.Group == group && sameSet(mm.Members, members) {
			return
		}
	}
}

// A daemon that rejects the new session is not asked again: the run ends
// with exit 3 and the rejection.
func TestListenReconnectRejectedIsNotRetried(t *testing.T) {
	a := spreadtest.Run(t, spreadtest.WithName("a"))
	b := spreadtest.Run(t, spreadtest.WithName("b"))
	squatter, err := spread.Connect(b.SpreadName(), spread.WithName("x"))
	if err != nil {
		t.Fatal(err)
	}
	defer squatter.Disconnect()
	f, out, _ := liveFactory(t)
	done := make(chan error, 1)
	go func() {
		done <- listenRun(context.Background(), &ListenOptions{Factory: f, Conn: withUser(servers(a.SpreadName(), b.SpreadName()), "x"),
			Groups: []string{"g"}, Output: OutputJSON, Quiet: true, Reconnect: fastReconnect})
	}()
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#a")
	a.Close()
	err = <-done
	if ExitCode(err) != ExitConnect || !strings.Contains(err.Error(), "name not unique") {
		t.Fatalf("err %v (exit %d), want exit 3 for the rejection", err, ExitCode(err))
	}
	if n := b.SessionCount(); n != 1 {
		t.Errorf("b has %d sessions, want only the squatter", n)
	}
}

// Without --reconnect a list changes only where the session starts: losing
// the daemon still ends the run with exit 5.
func TestListenWithoutReconnectEndsOnLoss(t *testing.T) {
	a := spreadtest.Run(t, spreadtest.WithName("a"))
	b := spreadtest.Run(t, spreadtest.WithName("b"))
	f, out, _ := liveFactory(t)
	done := make(chan error, 1)
	go func() {
		done <- listenRun(context.Background(), &ListenOptions{Factory: f, Conn: withUser(servers(a.SpreadName(), b.SpreadName()), "x"),
			Groups: []string{"g"}, Output: OutputJSON, Quiet: true})
	}()
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#a")
	a.Close()
	if err := <-done; ExitCode(err) != ExitConnectLost {
		t.Fatalf("err %v (exit %d), want 5", err, ExitCode(err))
	}
	if n := b.SessionCount(); n != 0 {
		t.Errorf("b has %d sessions, want none", n)
	}
}

// The first daemon of the list that answers is used: a dead one is skipped,
// and when none answers every failure is named.
func TestListAtStartSkipsDeadDaemons(t *testing.T) {
	dead := spreadtest.Run(t, spreadtest.WithName("dead"))
	deadName := dead.SpreadName()
	dead.Close()
	b := spreadtest.Run(t, spreadtest.WithName("b"))
	f, out, _ := liveFactory(t)
	done := make(chan error, 1)
	go func() {
		done <- listenRun(context.Background(), &ListenOptions{Factory: f, Conn: withUser(servers(deadName, b.SpreadName()), "x"),
			Groups: []string{"g"}, Count: 1, Output: OutputJSON, Quiet: true})
	}()
	wantOwnJoin(t, out.nextJSON(t), "g", "#x#b")
	sendOne(t, b.SpreadName(), "g", "hi")
	out.next(t)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	err := listenRun(context.Background(), &ListenOptions{Factory: f, Conn: servers(deadName, deadName+"0"), Groups: []string{"g"}})
	if ExitCode(err) != ExitConnect || !strings.HasPrefix(err.Error(), "no daemon answered: connecting to "+deadName+": ") ||
		!strings.Contains(err.Error(), "; connecting to "+deadName+"0: ") {
		t.Fatalf("err %v (exit %d)", err, ExitCode(err))
	}
}

// send goes through the first daemon that answers.
func TestSendToFirstDaemonThatAnswers(t *testing.T) {
	dead := spreadtest.Run(t, spreadtest.WithName("dead"))
	deadName := dead.SpreadName()
	dead.Close()
	b := spreadtest.Run(t, spreadtest.WithName("b"))
	rcv, err := spread.Connect(b.SpreadName(), spread.WithName("r"))
	if err != nil {
		t.Fatal(err)
	}
	defer rcv.Disconnect()
	if err := rcv.Join("g"); err != nil {
		t.Fatal(err)
	}
	f, _, errOut := liveFactory(t)
	err = sendRun(context.Background(), &SendOptions{Factory: f, Conn: servers(deadName, b.SpreadName()), Groups: []string{"g"},
		Message: "via b", MessageSet: true, Service: "agreed", MsgType: 1, Repeat: 1, Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(errOut.String(), "sent 1 message (5 bytes) AGREED to g as #") || !strings.HasSuffix(errOut.String(), "#b\n") {
		t.Errorf("stderr %q, want the report of a message sent at b", errOut.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		m, err := rcv.ReceiveContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rm, ok := m.(*spread.RegularMessage); ok {
			if string(rm.Data) != "via b" || !strings.HasSuffix(rm.Sender, "#b") {
				t.Fatalf("got %q from %s", rm.Data, rm.Sender)
			}
			return
		}
	}
}

// join --watch --reconnect prints the gap as a text line and the new
// membership after it.
func TestJoinWatchReconnectText(t *testing.T) {
	a := spreadtest.Run(t, spreadtest.WithName("a"))
	b := spreadtest.Run(t, spreadtest.WithName("b"))
	f, out, _ := liveFactory(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- joinRun(ctx, &JoinOptions{Factory: f, Conn: withUser(servers(a.SpreadName(), b.SpreadName()), "x"),
			Groups: []string{"g"}, Watch: true, Output: OutputText, Reconnect: fastReconnect})
	}()
	if l := out.next(t); !strings.HasPrefix(l, "g: join of #x#a, 1 member: #x#a") {
		t.Fatalf("first line %q", l)
	}
	a.Close()
	l := out.next(t)
	want := "reconnected to " + b.SpreadName() + " as #x#b after "
	if !strings.HasPrefix(l, want) || !strings.Contains(l, " away (lost "+a.SpreadName()+" as #x#a: ") {
		t.Fatalf("reconnect line %q, want %q...", l, want)
	}
	if l := out.next(t); !strings.HasPrefix(l, "g: join of #x#b, 1 member: #x#b") {
		t.Fatalf("line after the reconnect %q", l)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestReconnectedEventShapes(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := &event{Kind: KindReconnected, Reconnect: &reconnectInfo{OldDaemon: "4803@a", NewDaemon: "4803@b",
		OldPrivate: "#x#a", NewPrivate: "#x#b", LostAt: at, At: at.Add(1500 * time.Millisecond), Reason: "gone"}}
	if got, want := e.textLine(iostreams.NoColorScheme()), "reconnected to 4803@b as #x#b after 1.5s away (lost 4803@a as #x#a: gone)"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	b, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"kind":"reconnected","gone_seconds":1.5,"lost_at":"2026-01-02T03:04:05Z","reconnected_at":"2026-01-02T03:04:06.5Z",` +
		`"old_daemon":"4803@a","new_daemon":"4803@b","old_private_group":"#x#a","new_private_group":"#x#b","reason":"gone"}`
	if string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}

func TestServerListFlags(t *testing.T) {
	f, _ := testFactory(t, nil)
	var got *ListenOptions
	cmd := quiet(NewCmdListen(f, func(_ context.Context, o *ListenOptions) error { got = o; return nil }),
		"-s", "4803@a, 4803@b", "-s", "4803@c", "--reconnect", "--reconnect-wait", "10ms", "g")
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Conn.Servers, " ") != "4803@a 4803@b 4803@c" || got.Conn.Server != "4803@a" ||
		!got.Reconnect.Enabled || got.Reconnect.Wait != 10*time.Millisecond || got.Reconnect.MaxWait != DefaultReconnectMaxWait {
		t.Errorf("options %+v", got)
	}
	for _, args := range [][]string{
		{"-s", "4803@a,", "g"},                              // an empty name
		{"--reconnect-wait", "1s", "g"},                     // no --reconnect
		{"--reconnect", "--reconnect-wait", "0", "g"},       // no pause
		{"--reconnect", "--reconnect-max-wait", "1ms", "g"}, // cap below the first pause
	} {
		if err := quiet(NewCmdListen(f, func(context.Context, *ListenOptions) error { return nil }), args...).Execute(); ExitCode(err) != ExitUsage {
			t.Errorf("listen %v: %v (exit %d), want a usage error", args, err, ExitCode(err))
		}
	}
	if err := quiet(NewCmdJoin(f, func(context.Context, *JoinOptions) error { return nil }), "--reconnect", "g").Execute(); ExitCode(err) != ExitUsage ||
		!strings.Contains(err.Error(), "--reconnect needs --watch") {
		t.Errorf("join --reconnect without --watch: %v", err)
	}
	var conn *ConnectOptions
	err := quiet(NewCmdConnect(f, func(_ context.Context, o *ConnectOptions) error { conn = o; return nil }), "-s", "4803@a,4803@b").Execute()
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "this command talks to one") {
		t.Errorf("connect with a list: %v", err)
	}

	// A list in SPGO_SERVER: commands that take one daemon use its first.
	f.Getenv = func(k string) string { return map[string]string{EnvServer: "4803@a,4803@b"}[k] }
	if err := quiet(NewCmdConnect(f, func(_ context.Context, o *ConnectOptions) error { conn = o; return nil })).Execute(); err != nil {
		t.Fatal(err)
	}
	if conn.Conn.Server != "4803@a" || len(conn.Conn.serverList()) != 1 {
		t.Errorf("connect from a listed SPGO_SERVER: %+v", conn.Conn)
	}
	if err := quiet(NewCmdListen(f, func(_ context.Context, o *ListenOptions) error { got = o; return nil }), "g").Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Conn.serverList(), " ") != "4803@a 4803@b" {
		t.Errorf("listen from a listed SPGO_SERVER: %v", got.Conn.serverList())
	}

	// A list with an empty name is not cut down to its other names, and the
	// empty one never becomes the default daemon: it stays as given, for
	// connecting to refuse by name.
	for _, env := range []string{"4803@a,", ",4803@a", "4803@a,,4803@b"} {
		f.Getenv = func(k string) string { return map[string]string{EnvServer: env}[k] }
		if err := quiet(NewCmdListen(f, func(_ context.Context, o *ListenOptions) error { got = o; return nil }), "g").Execute(); err != nil {
			t.Fatal(err)
		}
		if l := got.Conn.serverList(); len(l) != 1 || l[0] != env {
			t.Errorf("SPGO_SERVER=%q: listen tries %q, want the value as given", env, l)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
