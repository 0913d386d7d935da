package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestJoinPrintsEachMembership(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, io := testFactory(t, sess)
	if err := joinRun(context.Background(), &JoinOptions{Factory: f, Groups: []string{"a", "b"}, Output: OutputText}); err != nil {
		t.Fatal(err)
	}
	want := "a: join of #me#d1, 1 member: #me#d1, group id 2130706433 1700000000 1\n" +
		"b: join of #me#d1, 1 member: #me#d1, group id 2130706433 1700000000 1\n"
	if io.out.String() != want {
		t.Errorf("got %q", io.out.String())
	}
}

func TestJoinWatchEndsAtTimeout(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) {
		f.events <- dataEvent("not printed by --watch", g)
		f.events <- &event{Kind: KindMembership, Cause: "join", Group: g, Members: []string{"#bob#d1", f.me}, Changed: []string{"#bob#d1"},
			VSSets: [][]string{{"#bob#d1"}}, GroupID: groupID{1, 2, 2}}
	}
	f, io := testFactory(t, sess)
	err := joinRun(context.Background(), &JoinOptions{Factory: f, Groups: []string{"a"}, Watch: true, Output: OutputJSON,
		Conn: ConnOptions{Timeout: 30 * time.Millisecond, TimeoutSet: true}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(io.out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines %q", lines)
	}
	var m jsonMembership
	if err := json.Unmarshal([]byte(lines[1]), &m); err != nil {
		t.Fatal(err)
	}
	if m.Cause != "join" || m.Changed[0] != "#bob#d1" || len(m.Members) != 2 || m.GroupID.Index != 2 {
		t.Errorf("%+v", m)
	}
}

func TestJoinTimeoutWithoutMembership(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) { <-f.events } // swallow the announcement
	f, _ := testFactory(t, sess)
	err := joinRun(context.Background(), &JoinOptions{Factory: f, Groups: []string{"a"}, Conn: ConnOptions{Timeout: 20 * time.Millisecond, TimeoutSet: true}})
	if ExitCode(err) != ExitTimeout || err.Error() != "no membership for a before the timeout" {
		t.Errorf("err %v exit %d", err, ExitCode(err))
	}
}

func TestPoll(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, io := testFactory(t, sess)
	err := pollRun(context.Background(), &PollOptions{Factory: f, Wait: 10 * time.Millisecond, Interval: time.Millisecond, Output: OutputText})
	if ExitCode(err) != ExitTimeout || io.out.String() != "nothing ready\n" {
		t.Errorf("err %v out %q", err, io.out.String())
	}
	sess.push(dataEvent("x", "g"))
	f, io = testFactory(t, sess)
	err = pollRun(context.Background(), &PollOptions{Factory: f, Interval: time.Millisecond, Output: OutputJSON})
	if err != nil || io.out.String() != `{"kind":"poll","ready":true,"bytes":1}`+"\n" {
		t.Errorf("err %v out %q", err, io.out.String())
	}
}
