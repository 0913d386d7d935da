package cli

import (
	"context"
	"strings"
	"testing"
	"time"
)

// userSent returns what send sent before its confirmation message, and
// fails unless that confirmation (empty, to its own private group) came last.
func userSent(t *testing.T, sess *fakeSession) []fakeSent {
	t.Helper()
	n := len(sess.sent)
	if n == 0 {
		t.Fatal("nothing sent")
	}
	last := sess.sent[n-1]
	if last.msgType != confirmType || last.data != "" || len(last.groups) != 1 || last.groups[0] != sess.me || last.selfDiscard {
		t.Fatalf("last message is no confirmation: %+v", last)
	}
	return sess.sent[:n-1]
}

func TestSendMessageFlagDoesNotReadStdin(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, io := testFactory(t, sess)
	io.in.WriteString("stdin must stay unread")
	err := sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1", "#bob#d1"}, Message: "hi", MessageSet: true,
		Service: "agreed", MsgType: 7, Repeat: 2})
	if err != nil {
		t.Fatal(err)
	}
	sent := userSent(t, sess)
	if len(sent) != 2 || sent[0].data != "hi" || sent[0].service != "agreed" || sent[0].msgType != 7 ||
		strings.Join(sent[1].groups, ",") != "g1,#bob#d1" || sess.sent[2].service != "agreed" {
		t.Errorf("sent %+v", sess.sent)
	}
	if io.in.String() != "stdin must stay unread" {
		t.Error("stdin was read")
	}
	if sess.flushes == 0 || !sess.closed {
		t.Error("no flush and disconnect")
	}
	if io.out.String() != "" || io.err.String() != "" {
		t.Errorf("not quiet: %q %q", io.out.String(), io.err.String())
	}
}

func TestSendStdinLinesVerbose(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, io := testFactory(t, sess)
	io.in.WriteString("one\r\ntwo\n\nfour")
	err := sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1"}, Lines: true, Service: "fifo", Repeat: 1, Verbose: true, SelfDiscard: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range userSent(t, sess) {
		got = append(got, s.data)
		if !s.selfDiscard {
			t.Error("self-discard lost")
		}
	}
	if strings.Join(got, "|") != "one|two||four" {
		t.Errorf("messages %q", got)
	}
	if want := "sent 4 messages (10 bytes) FIFO to g1 as #me#d1\n"; io.err.String() != want {
		t.Errorf("stderr %q, want %q", io.err.String(), want)
	}
}

func TestSendStdinWhole(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, io := testFactory(t, sess)
	io.in.WriteString("a\nb\n")
	if err := sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1"}, Service: "safe", Repeat: 1}); err != nil {
		t.Fatal(err)
	}
	if sent := userSent(t, sess); len(sent) != 1 || sent[0].data != "a\nb\n" {
		t.Errorf("sent %+v", sess.sent)
	}
}

func TestSendErrors(t *testing.T) {
	cases := []struct {
		name   string
		opts   SendOptions
		code   int
		substr string
	}{
		{"long group", SendOptions{Groups: []string{strings.Repeat("g", 40)}, MessageSet: true}, ExitUsage, `is 40 bytes: allowed 1..31`},
		{"space in group", SendOptions{Groups: []string{"a b"}, MessageSet: true}, ExitUsage, `has byte ' ' (0x20) at offset 1`},
		{"bad private group", SendOptions{Groups: []string{"#bob"}, MessageSet: true}, ExitUsage, `not of the form #NAME#DAEMON`},
		{"too long", SendOptions{Groups: []string{"g1"}, Message: strings.Repeat("x", 143120), MessageSet: true}, ExitError,
			"message of 143120 bytes to 1 group is too long: data + 32 per group = 143152, allowed up to 143151"},
		{"long user", SendOptions{Groups: []string{"g1"}, MessageSet: true, Conn: ConnOptions{User: "elevenchars"}}, ExitUsage, `private name "elevenchars" is 11 bytes`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := testFactory(t, newFakeSession("#me#d1"))
			tc.opts.Factory, tc.opts.Repeat, tc.opts.Service = f, 1, "safe"
			err := sendRun(context.Background(), &tc.opts)
			if ExitCode(err) != tc.code || err == nil || !strings.Contains(err.Error(), tc.substr) {
				t.Errorf("err %v (exit %d), want exit %d with %q", err, ExitCode(err), tc.code, tc.substr)
			}
		})
	}
}

func TestSendLost(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.kill()
	f, _ := testFactory(t, sess)
	err := sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1"}, MessageSet: true, Repeat: 1, Service: "safe"})
	if ExitCode(err) != ExitConnectLost {
		t.Errorf("err %v exit %d", err, ExitCode(err))
	}
}

func TestSendFlags(t *testing.T) {
	f, _ := testFactory(t, nil)
	var got *SendOptions
	run := func(o *SendOptions) error { got = o; return nil }
	cmd := NewCmdSend(f, func(_ context.Context, o *SendOptions) error { return run(o) })
	cmd.SetArgs([]string{"g1", "g2", "-m", "", "-S", "causal", "-t", "65535", "--self-discard", "-n", "3"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.MessageSet || got.Message != "" || got.Service != "causal" || got.MsgType != -1 || !got.SelfDiscard || got.Repeat != 3 {
		t.Errorf("options %+v", got)
	}
	for _, args := range [][]string{
		{"g1", "-S", "fast"},
		{"g1", "-t", "70000"},
		{"g1", "-m", "x", "--file", "f"},
		{"g1", "-n", "0"},
		{},
	} {
		cmd := NewCmdSend(f, func(_ context.Context, o *SendOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SetErr(new(strings.Builder))
		cmd.SetOut(new(strings.Builder))
		if err := cmd.Execute(); ExitCode(err) != ExitUsage {
			t.Errorf("%q: err %v exit %d, want usage", args, err, ExitCode(err))
		}
	}
}

func TestSendWaitsForConfirmation(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.selfDeaf = true // the daemon never hands the confirmation back
	f, _ := testFactory(t, sess)
	err := sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1"}, MessageSet: true, Repeat: 1, Service: "safe",
		Conn: ConnOptions{Timeout: 20 * time.Millisecond}})
	if ExitCode(err) != ExitTimeout || err.Error() != "the daemon did not confirm the messages within 20ms" {
		t.Errorf("err %v exit %d", err, ExitCode(err))
	}
}
