package cli

import (
	"context"
	"strings"
	"testing"
	"time"
)

var receivedAt = time.Date(2026, 12, 3, 6, 30, 54, 123456000, time.UTC)

func listenWith(t *testing.T, opts *ListenOptions, events ...*event) (stdout, stderr string, err error) {
	t.Helper()
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) {
		for _, e := range events {
			f.events <- e
		}
	}
	f, io := testFactory(t, sess)
	f.Now = func() time.Time { return receivedAt }
	opts.Factory, opts.Groups, opts.Quiet = f, []string{"g1"}, true
	if opts.Format != "" {
		tmpl, perr := parseEventTemplate(opts.Format, !opts.NoMembership)
		if perr != nil {
			t.Fatalf("parse %q: %v", opts.Format, perr)
		}
		opts.template = tmpl
	}
	err = listenRun(context.Background(), opts)
	return io.out.String(), io.err.String(), err
}

func TestListenTimestampText(t *testing.T) {
	out, _, err := listenWith(t, &ListenOptions{Count: 1, Timestamp: true}, dataEvent("hi", "g1"))
	if err != nil {
		t.Fatal(err)
	}
	want := "2026-12-03T06:30:54.123456Z g1: join of #me#d1, 1 member: #me#d1, group id 2130706433 1700000000 1\n" +
		"2026-12-03T06:30:54.123456Z SAFE from #bob#d1 to g1, type 1 (2 bytes): hi\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestListenTimestampJSON(t *testing.T) {
	out, _, err := listenWith(t, &ListenOptions{Count: 1, Timestamp: true, Output: OutputJSON, NoMembership: true}, dataEvent("hi", "g1"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2026-12-03T06:30:54.123456Z","kind":"message","service":"SAFE","self_discard":false,"sender":"#bob#d1","groups":["g1"],"msg_type":1,"endian_mismatch":false,"size":2,"data":"hi"}` + "\n"
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

func TestListenWithoutTimestampHasNoTime(t *testing.T) {
	out, _, err := listenWith(t, &ListenOptions{Count: 1, Output: OutputJSON, NoMembership: true}, dataEvent("hi", "g1"))
	if err != nil || strings.Contains(out, `"time"`) {
		t.Errorf("out %q err %v", out, err)
	}
}

func TestListenFormat(t *testing.T) {
	cases := []struct{ format, want string }{
		{`{{.kind}} {{.sender}} {{.size}} {{.data}}`, "message #bob#d1 5 hello"},
		{`{{if eq .msg_type 1}}one{{end}} {{join "," .groups}} {{json .groups}}`, `one g1,g2 ["g1","g2"]`},
		{`{{hex (payload .)}} {{upper .service}} {{lower .service}}`, "68656c6c6f SAFE safe"},
		{`{{timefmt "15:04:05.000" .time}} {{unixmilli .time}} {{.time}}`, "06:30:54.123 1796279454123 2026-12-03T06:30:54.123456Z"},
	}
	for _, c := range cases {
		out, stderr, err := listenWith(t, &ListenOptions{Count: 1, Format: c.format, NoMembership: true}, dataEvent("hello", "g1", "g2"))
		if err != nil || out != c.want+"\n" || stderr != "" {
			t.Errorf("%s: got %q (stderr %q, err %v), want %q", c.format, out, stderr, err, c.want)
		}
	}
}

func TestListenFormatMembershipAndBinary(t *testing.T) {
	format := `{{.kind}} {{if eq .kind "message"}}{{hex (payload .)}}{{else}}{{.cause}} {{.group}} {{len .members}}{{end}}`
	out, stderr, err := listenWith(t, &ListenOptions{Count: 1, Format: format}, dataEvent("\xff\x00", "g1"))
	if err != nil || stderr != "" {
		t.Fatalf("err %v stderr %q", err, stderr)
	}
	if want := "membership join g1 1\nmessage ff00\n"; out != want {
		t.Errorf("got %q want %q", out, want)
	}
}

func TestListenFormatFailingOnOneEventWarns(t *testing.T) {
	// .data is absent from a binary message's JSON (it has data_base64).
	out, stderr, err := listenWith(t, &ListenOptions{Count: 2, Format: `{{.data}}`, NoMembership: true},
		dataEvent("\xff", "g1"), dataEvent("ok", "g1"))
	if err != nil {
		t.Fatal(err)
	}
	if out != "ok\n" || !strings.HasPrefix(stderr, `spgo: warning: --format failed on a message: format:1:2: executing "format" at <.data>: map has no entry for key "data"`) {
		t.Errorf("out %q stderr %q", out, stderr)
	}
}

func TestListenFormatSanitizedOnTerminal(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) { f.events <- dataEvent("\x1b[31mred", g) }
	f, io := testFactory(t, sess)
	f.IOStreams.SetStdoutTTY(true)
	tmpl, err := parseEventTemplate(`{{.data}}`, false)
	if err != nil {
		t.Fatal(err)
	}
	err = listenRun(context.Background(), &ListenOptions{Factory: f, Groups: []string{"g1"}, Count: 1, Quiet: true, NoMembership: true, template: tmpl})
	if err != nil || strings.Contains(io.out.String(), "\x1b") {
		t.Errorf("out %q err %v", io.out.String(), err)
	}
}

func TestListenFormatBadTemplateIsUsageErrorBeforeConnecting(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--format", "{{.kind", "g"}, "spgo: invalid --format: format:1: unclosed action\n"},
		{[]string{"--format", "{{nosuch .kind}}", "g"}, "spgo: invalid --format: format:1: function \"nosuch\" not defined\n"},
		{[]string{"--format", "{{.sendr}}", "g"}, "spgo: invalid --format: on a message: format:1:2: executing \"format\" at <.sendr>: map has no entry for key \"sendr\"\n"},
		{[]string{"--format", "{{.sender}}", "g"}, "spgo: invalid --format: on a membership: format:1:2: executing \"format\" at <.sender>: map has no entry for key \"sender\" (membership changes have other fields: add --no-membership or test {{if eq .kind \"message\"}})\n"},
		{[]string{"--format", "{{.kind}}", "-o", "json", "g"}, "spgo: --format cannot be used with --raw or -o\n"},
		{[]string{"--timestamp", "--raw", "g"}, "spgo: --timestamp and --raw cannot be used together (--raw prints payload bytes only)\n"},
	}
	for _, c := range cases {
		f, _ := testFactory(t, nil) // no daemon: connecting would fail with exit 3
		code, _, stderr := execRoot(t, f, append([]string{"listen", "-s", "4999"}, c.args...)...)
		if strings.HasPrefix(c.args[0], "--format") && len(c.args) == 3 && stderr != c.want { // one line, no usage
			t.Errorf("%q: stderr %q, want exactly %q", c.args, stderr, c.want)
		}
		if first, _, _ := strings.Cut(stderr, "\n"); code != ExitUsage || first+"\n" != c.want {
			t.Errorf("%q: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
