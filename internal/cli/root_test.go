package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/cli/iostreams"
)

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), 1},
		{&FlagError{Err: errors.New("x")}, 2},
		{fmt.Errorf("wrapped: %w", &ExitCodeError{Code: 3, Err: errors.New("x")}), 3},
		{context.DeadlineExceeded, 4},
		{errors.New(`unknown command "x" for "spgo"`), 2},
		{errFakeClosed, 5},
	}
	for _, c := range cases {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

// execRoot runs the root command like Main does, with buffers.
func execRoot(t *testing.T, f *Factory, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	root := NewCmdRoot(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	var errBuf bytes.Buffer
	code = reportError(&errBuf, cmd, err)
	return code, f.IOStreams.Out.(*syncBuffer).String(), errBuf.String()
}

func TestRootUsageErrors(t *testing.T) {
	f, _ := testFactory(t, nil)
	code, _, stderr := execRoot(t, f, "listen", "--count", "x")
	if code != ExitUsage || !strings.HasPrefix(stderr, `spgo: invalid argument "x" for "-c, --count" flag`) || !strings.Contains(stderr, "Usage:") {
		t.Errorf("code %d stderr %q", code, stderr)
	}
	f, _ = testFactory(t, nil)
	code, _, stderr = execRoot(t, f, "--color", "pink", "join", "g")
	if code != ExitUsage || !strings.Contains(stderr, `"pink" is not one of auto, always, never`) {
		t.Errorf("code %d stderr %q", code, stderr)
	}
}

func TestRootRuntimeErrorHasNoUsage(t *testing.T) {
	f, _ := testFactory(t, nil)
	code, _, stderr := execRoot(t, f, "join", "-s", "4999", "g")
	if code != ExitConnect || stderr != "spgo: connecting to 4999: no daemon\n" {
		t.Errorf("code %d stderr %q", code, stderr)
	}
}

func TestRootHelpListsExitCodes(t *testing.T) {
	f, _ := testFactory(t, nil)
	code, stdout, _ := execRoot(t, f, "listen", "--help")
	if code != 0 || !strings.Contains(stdout, "5    connection to the daemon lost") {
		t.Errorf("code %d help %q", code, stdout)
	}
}

func TestEventJSONShapes(t *testing.T) {
	e := &event{Kind: KindMessage, Service: "AGREED", SelfDiscard: true, Sender: "#a#d", Groups: []string{"g"}, MsgType: -2, Data: []byte("ü")}
	b, _ := e.MarshalJSON()
	want := `{"kind":"message","service":"AGREED","self_discard":true,"sender":"#a#d","groups":["g"],"msg_type":-2,"endian_mismatch":false,"size":2,"data":"ü"}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	m := &event{Kind: KindMembership, Cause: "self-leave", Group: "g"}
	b, _ = m.MarshalJSON()
	want = `{"kind":"membership","cause":"self-leave","group":"g","group_id":{"proc_id":0,"time":0,"index":0},"members":[],"changed":[],"vs_sets":[],"local_vs_set":0}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestTextColourOnlyWhenEnabled(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	e := dataEvent("x", "g")
	if strings.Contains(e.textLine(ios.ColorScheme()), "\x1b") {
		t.Error("colour without a terminal")
	}
	ios.SetStdoutTTY(true)
	if !strings.Contains(e.textLine(ios.ColorScheme()), "\x1b[32mSAFE") {
		t.Error("no colour on a terminal")
	}
}

func TestTextDropsOneTrailingNewline(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	e := dataEvent("line\n", "g")
	if got := e.textLine(ios.ColorScheme()); got != "SAFE from #bob#d1 to g, type 1 (5 bytes): line" {
		t.Errorf("%q", got)
	}
}

// Error lines may carry network text (e.g. a daemon's auth offer): terminal
// controls are stripped and the error stays on one line.
func TestReportErrorIsTerminalSafe(t *testing.T) {
	var buf bytes.Buffer
	code := reportError(&buf, nil, errors.New("the daemon offers [\x1b]0;PWNED\x07\x1b[2J ABC]\nsecond line"))
	got := buf.String()
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	if strings.ContainsAny(got, "\x1b\x07") || strings.Count(got, "\n") != 1 {
		t.Fatalf("unsafe or multi-line error output %q", got)
	}
	if !strings.Contains(got, "ABC") || !strings.Contains(got, "second line") {
		t.Fatalf("error text lost: %q", got)
	}
}

// JSON output escapes the C1 controls that encoding/json leaves raw
// (U+009B is a one-character CSI) and still decodes to the same text.
func TestJSONEscapesC1Controls(t *testing.T) {
	data := "a\u009b2Jb\u0085c é"
	b, err := (&event{Kind: KindMessage, Service: "AGREED", Sender: "#x#d", Data: []byte(data)}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte{0xc2, 0x9b}) || bytes.Contains(b, []byte{0xc2, 0x85}) {
		t.Fatalf("raw C1 control in %q", b)
	}
	var back struct{ Data string }
	if err := json.Unmarshal(b, &back); err != nil || back.Data != data {
		t.Fatalf("round trip: %q, %v (json %s)", back.Data, err, b)
	}
}

// Every command's --help fits in helpWidth columns: the commands' own text
// is wrapped by hand, flag descriptions by the usage template.
func TestHelpLinesFit(t *testing.T) {
	var walk func(args []string, c *cobra.Command)
	walk = func(args []string, c *cobra.Command) {
		f, _ := testFactory(t, nil)
		code, stdout, _ := execRoot(t, f, append(args, "--help")...)
		if code != 0 || stdout == "" {
			t.Errorf("%q --help: exit %d, %d bytes", args, code, len(stdout))
		}
		for _, line := range strings.Split(stdout, "\n") {
			if n := utf8.RuneCountInString(line); n > helpWidth {
				t.Errorf("spgo %s --help: %d columns: %s", strings.Join(args, " "), n, line)
			}
		}
		for _, sub := range c.Commands() {
			if !sub.Hidden && sub.Name() != "help" {
				walk(append(append([]string{}, args...), sub.Name()), sub)
			}
		}
	}
	f, _ := testFactory(t, nil)
	walk(nil, NewCmdRoot(f))
}

// send's help says what --timeout limits besides connecting.
func TestSendHelpTimeout(t *testing.T) {
	f, _ := testFactory(t, nil)
	_, stdout, _ := execRoot(t, f, "send", "--help")
	if !strings.Contains(stdout, "confirmation (exit 4 when it runs out)") ||
		!regexp.MustCompile(`--timeout duration +time limit for connecting \(exit 3\) and for the daemon's\s+confirmation`).MatchString(stdout) {
		t.Errorf("send --help does not say --timeout also limits the confirmation:\n%s", stdout)
	}
}
