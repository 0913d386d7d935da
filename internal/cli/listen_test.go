package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func dataEvent(data string, groups ...string) *event {
	return &event{Kind: KindMessage, Service: "SAFE", Sender: "#bob#d1", Groups: groups, MsgType: 1, Data: []byte(data)}
}

func TestListenCountText(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) {
		f.events <- dataEvent("hello", g)
		f.events <- dataEvent("\x1b[31mred\x1b[0m", g)
	}
	f, io := testFactory(t, sess)
	ready := filepath.Join(t.TempDir(), "ready")
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Count: 2, Output: OutputText, ReadyFile: ready})
	if err != nil {
		t.Fatal(err)
	}
	want := "g1: join of #me#d1, 1 member: #me#d1, group id 2130706433 1700000000 1\n" +
		"SAFE from #bob#d1 to g1, type 1 (5 bytes): hello\n" +
		"SAFE from #bob#d1 to g1, type 1 (12 bytes): red\n"
	if got := io.out.String(); got != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
	}
	if got := io.err.String(); got != "spgo listen: ready as #me#d1 in g1\n" {
		t.Errorf("stderr %q", got)
	}
	b, err := os.ReadFile(ready)
	if err != nil || string(b) != "#me#d1\n" {
		t.Errorf("ready file %q, %v", b, err)
	}
	if !sess.closed {
		t.Error("session not disconnected")
	}
}

func TestListenJSONBinary(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) { f.events <- dataEvent("\xff\x00bin", g, "g2") }
	f, io := testFactory(t, sess)
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Count: 1, Output: OutputJSON, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(io.out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", io.out.String())
	}
	var memb map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &memb); err != nil {
		t.Fatal(err)
	}
	if memb["kind"] != "membership" || memb["cause"] != "join" || memb["group"] != "g1" {
		t.Errorf("membership line %v", memb)
	}
	var msg struct {
		Kind       string   `json:"kind"`
		Service    string   `json:"service"`
		Groups     []string `json:"groups"`
		Size       int      `json:"size"`
		Data       *string  `json:"data"`
		DataBase64 string   `json:"data_base64"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &msg); err != nil {
		t.Fatal(err)
	}
	if msg.Kind != "message" || msg.Service != "SAFE" || msg.Size != 5 || msg.Data != nil || msg.DataBase64 != "/wBiaW4=" || len(msg.Groups) != 2 {
		t.Errorf("message line %s", lines[1])
	}
	if io.err.String() != "" {
		t.Errorf("stderr with --quiet: %q", io.err.String())
	}
}

func TestListenRawNoMembership(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) {
		f.events <- dataEvent("a\x1b", g)
		f.events <- dataEvent("b", g)
	}
	f, io := testFactory(t, sess)
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Count: 2, Raw: true, Delimiter: "\x00", Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := io.out.String(); got != "a\x1b\x00b\x00" {
		t.Errorf("raw output %q", got)
	}
}

func TestListenIdleNothing(t *testing.T) {
	f, io := testFactory(t, newFakeSession("#me#d1"))
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Idle: 20 * time.Millisecond, Quiet: true, NoMembership: true})
	if ExitCode(err) != ExitTimeout || !strings.Contains(err.Error(), "no message received before the idle timeout") {
		t.Fatalf("err %v (exit %d)", err, ExitCode(err))
	}
	if io.out.String() != "" {
		t.Errorf("stdout %q", io.out.String())
	}
}

func TestListenTooFewBeforeTimeout(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) { f.events <- dataEvent("one", g) }
	f, _ := testFactory(t, sess)
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Count: 3, Quiet: true,
		Conn: ConnOptions{Timeout: 30 * time.Millisecond, TimeoutSet: true}})
	if ExitCode(err) != ExitTimeout || err.Error() != "received 1 of 3 messages before the timeout" {
		t.Fatalf("err %v (exit %d)", err, ExitCode(err))
	}
}

func TestListenSomeThenIdleIsSuccess(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) { f.events <- dataEvent("one", g) }
	f, _ := testFactory(t, sess)
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Idle: 20 * time.Millisecond, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
}

func TestListenConnectionLost(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) { close(f.gone); f.killed = true }
	f, _ := testFactory(t, sess)
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Quiet: true})
	if ExitCode(err) != ExitConnectLost || !strings.HasPrefix(err.Error(), "connection to the daemon lost") {
		t.Fatalf("err %v (exit %d)", err, ExitCode(err))
	}
}

func TestListenCouldNotConnect(t *testing.T) {
	f, _ := testFactory(t, nil)
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Conn: ConnOptions{Server: "4999"}})
	if ExitCode(err) != ExitConnect || err.Error() != "connecting to 4999: no daemon" {
		t.Fatalf("err %v (exit %d)", err, ExitCode(err))
	}
}

func TestListenBadGroup(t *testing.T) {
	f, _ := testFactory(t, newFakeSession("#me#d1"))
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{strings.Repeat("x", 32)}})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "is 32 bytes: allowed 1..31") {
		t.Fatalf("err %v (exit %d)", err, ExitCode(err))
	}
}

func TestListenFlags(t *testing.T) {
	f, _ := testFactory(t, nil)
	var got *ListenOptions
	cmd := NewCmdListen(f, func(_ context.Context, o *ListenOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-s", "4913@localhost", "-u", "me", "-c", "5", "--idle", "2s", "--raw", "--delimiter", `\x1e`, "g1", "g2"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Conn.Server != "4913@localhost" || got.Conn.User != "me" || got.Count != 5 || got.Idle != 2*time.Second ||
		!got.Raw || got.Delimiter != "\x1e" || strings.Join(got.Groups, ",") != "g1,g2" || got.Conn.TimeoutSet {
		t.Errorf("options %+v", got)
	}

	cmd = NewCmdListen(f, func(context.Context, *ListenOptions) error { return nil })
	cmd.SetArgs([]string{"--raw", "-o", "json", "g1"})
	cmd.SetErr(new(strings.Builder))
	cmd.SetOut(new(strings.Builder))
	if err := cmd.Execute(); ExitCode(err) != ExitUsage {
		t.Errorf("--raw -o json: %v", err)
	}
}

func TestServerDefaultFromEnv(t *testing.T) {
	f, _ := testFactory(t, nil)
	f.Getenv = func(k string) string {
		if k == EnvServer {
			return "5000@h"
		}
		return ""
	}
	var got *ListenOptions
	cmd := NewCmdListen(f, func(_ context.Context, o *ListenOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"g"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Conn.Server != "5000@h" {
		t.Errorf("server %q", got.Conn.Server)
	}
}

func TestListenWarnsAndGoesOnAfterSkippedMessage(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) {
		f.events <- nil
		f.events <- dataEvent("after", g)
	}
	f, io := testFactory(t, sess)
	err := listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Count: 1, Quiet: true, NoMembership: true})
	if err != nil {
		t.Fatal(err)
	}
	if io.err.String() != "spgo: warning: skipped a message that could not be decoded: fake\n" || !strings.Contains(io.out.String(), "after") {
		t.Errorf("stderr %q stdout %q", io.err.String(), io.out.String())
	}
}
