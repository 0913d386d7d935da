package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/spgo/spgo/pkg/daemon"
)

// TestMain lets the test binary act as `spgo` inside scripts, so the
// scripts run the real command line in a process of its own.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"spgo": func() { os.Exit(Main()) }})
}

// TestScripts runs testdata/script/*.txtar against an embedded daemon
// started by the script's `daemon` command.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("XDG_STATE_HOME", env.WorkDir+"/state")
			env.Setenv("NO_COLOR", "")
			env.Setenv("CLICOLOR_FORCE", "")
			env.Setenv("SPGO_SERVER", "")
			env.Values[daemonKey{}] = &daemonHolder{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"daemon":    cmdDaemon,
			"waitfile":  cmdWaitfile,
			"waitmatch": cmdWaitmatch,
			"jsonlines": cmdJSONLines,
			"exits":     cmdExits,
			"cmpgid":    cmdCmpGID,
			"freeport":  cmdFreeport,
			"httpget":   cmdHTTPGet,
			"expand":    cmdExpand,
		},
	})
}

type daemonKey struct{}

// daemonHolder carries the script's daemon between commands.
type daemonHolder struct{ d *daemon.Daemon }

// cmdDaemon: `daemon [NAME] [max-sessions=N] [max-queue=N]` starts an embedded daemon (free TCP port,
// unix socket in $WORK, name d1 unless given) and sets $SPGO_SERVER to it;
// `daemon stop` stops it, as a crash or shutdown would look to clients.
func cmdDaemon(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! daemon")
	}
	if len(args) == 1 && args[0] == "stop" {
		d := ts.Value(daemonKey{}).(*daemonHolder).d
		if d == nil {
			ts.Fatalf("daemon stop: no daemon")
		}
		ts.Check(d.Close())
		return
	}
	cfg := daemon.Config{Name: "d1", Port: 0}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		n, _ := strconv.Atoi(v)
		switch {
		case !ok:
			cfg.Name = a
		case k == "max-sessions":
			cfg.MaxSessions = n
		case k == "max-queue":
			cfg.MaxSessionMessages = n
		default:
			ts.Fatalf("usage: daemon [NAME] [max-sessions=N] [max-queue=N] | daemon stop")
		}
	}
	sockDir, err := os.MkdirTemp("", "spgo-sock")
	ts.Check(err)
	cfg.SocketDir = sockDir
	d, err := daemon.Start(cfg)
	ts.Check(err)
	ts.Defer(func() { d.Close(); os.RemoveAll(sockDir) })
	ts.Setenv("SPGO_SERVER", d.SpreadName())
	ts.Setenv("DAEMON_PORT", strconv.Itoa(d.Port()))
	ts.Value(daemonKey{}).(*daemonHolder).d = d
}

// cmdExits: `exits CODE COMMAND ARGS...` runs the command like exec (its
// output becomes stdout and stderr) and checks its exit code.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || neg {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

var gidRE = regexp.MustCompile(`group id -?\d+ -?\d+ (-?\d+)`)

// cmdCmpGID: `cmpgid FILE GOLDEN` compares like cmp after replacing the
// daemon-dependent part of group ids ("group id P T I" becomes
// "group id <gid> I") and expanding $VARS in GOLDEN, so text output can
// be checked exactly.
func cmdCmpGID(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: cmpgid FILE GOLDEN")
	}
	var got string
	switch args[0] {
	case "stdout", "stderr":
		got = ts.ReadFile(args[0])
	default:
		got = ts.ReadFile(args[0])
	}
	got = gidRE.ReplaceAllString(got, "group id <gid> $1")
	want := os.Expand(ts.ReadFile(args[1]), ts.Getenv)
	if got != want {
		ts.Fatalf("%s differs from %s (group ids normalised):\n--- got\n%s--- want\n%s", args[0], args[1], got, want)
	}
}

// cmdWaitfile: `waitfile PATH [TIMEOUT]` waits until PATH exists (a
// readiness file written by a background command), failing after TIMEOUT
// (default 10s).
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 || neg {
		ts.Fatalf("usage: waitfile PATH [TIMEOUT]")
	}
	limit := 10 * time.Second
	if len(args) == 2 {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		limit = d
	}
	path := ts.MkAbs(args[0])
	if !pollUntil(limit, func() bool { _, err := os.Stat(path); return err == nil }) {
		ts.Fatalf("waitfile: %s did not appear within %v", args[0], limit)
	}
}

// cmdWaitmatch: `waitmatch FILE REGEXP [TIMEOUT]` waits until FILE (the
// output of a background command, redirected) has a line matching REGEXP,
// failing after TIMEOUT (default 10s): a script can act once a background
// command has said something, say a retry.
func cmdWaitmatch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 || neg {
		ts.Fatalf("usage: waitmatch FILE REGEXP [TIMEOUT]")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	limit := 10 * time.Second
	if len(args) == 3 {
		limit, err = time.ParseDuration(args[2])
		ts.Check(err)
	}
	path := ts.MkAbs(args[0])
	if !pollUntil(limit, func() bool { b, err := os.ReadFile(path); return err == nil && re.Match(b) }) {
		ts.Fatalf("waitmatch: no line of %s matched %q within %v", args[0], args[1], limit)
	}
}

// cmdJSONLines checks a file of JSON lines, parsed rather than matched:
//
//	jsonlines FILE N                        exactly N lines, each a JSON object
//	jsonlines FILE I field=value...         line I (1-based) has these fields
//
// A field is a dotted path (group_id.index, members.0). A string field is
// compared with value as is; anything else with its compact JSON.
func cmdJSONLines(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: jsonlines FILE N | jsonlines FILE I field=value...")
	}
	data := strings.TrimSuffix(ts.ReadFile(args[0]), "\n")
	var lines []string
	if data != "" {
		lines = strings.Split(data, "\n")
	}
	objs := make([]map[string]any, len(lines))
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &objs[i]); err != nil {
			ts.Fatalf("%s line %d is not a JSON object: %v: %q", args[0], i+1, err, l)
		}
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	if len(args) == 2 {
		if (len(lines) == n) == neg {
			ts.Fatalf("%s has %d JSON lines, want %d", args[0], len(lines), n)
		}
		return
	}
	if n < 1 || n > len(objs) {
		ts.Fatalf("%s has %d lines, no line %d", args[0], len(objs), n)
	}
	var mismatch []string
	for _, kv := range args[2:] {
		k, want, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("jsonlines: %q is not field=value", kv)
		}
		got, found := lookup(objs[n-1], k)
		if !found {
			mismatch = append(mismatch, fmt.Sprintf("%s missing", k))
			continue
		}
		if got != want {
			mismatch = append(mismatch, fmt.Sprintf("%s=%s, want %s", k, got, want))
		}
	}
	if (len(mismatch) == 0) == neg {
		if neg {
			ts.Fatalf("%s line %d matches %q", args[0], n, args[2:])
		}
		ts.Fatalf("%s line %d: %s\n%s", args[0], n, strings.Join(mismatch, "; "), lines[n-1])
	}
}

func lookup(v any, path string) (string, bool) {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[p]; !ok {
				return "", false
			}
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	b, _ := json.Marshal(v)
	return string(b), true
}
