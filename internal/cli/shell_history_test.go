package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// The history holds message text: a new file is private whatever the
// umask, an existing one loses group and other permissions, and no mode
// is ever widened.
func TestPrepareHistoryPrivate(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "state", "spgo", "history")
	if err := prepareHistory(fresh); err != nil {
		t.Fatal(err)
	}
	if m := fileMode(t, fresh); m != 0o600 {
		t.Errorf("new history file mode %v, want 0600", m)
	}
	if m := fileMode(t, filepath.Dir(fresh)); m != 0o700 {
		t.Errorf("new history directory mode %v, want 0700", m)
	}
	for _, c := range []struct{ before, after os.FileMode }{
		{0o644, 0o600}, {0o666, 0o600}, {0o640, 0o600}, {0o600, 0o600}, {0o400, 0o400},
	} {
		path := filepath.Join(dir, fmt.Sprintf("h%o", c.before))
		if err := os.WriteFile(path, []byte("join chat\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, c.before); err != nil {
			t.Fatal(err)
		}
		if err := prepareHistory(path); err != nil && c.before&0o200 != 0 {
			t.Errorf("mode %v: %v", c.before, err)
		}
		if m := fileMode(t, path); m != c.after {
			t.Errorf("history file of mode %v is now %v, want %v", c.before, m, c.after)
		}
	}
}

// A history over the limit is trimmed to its newest lines in a private
// file: left to the line editor, the rewrite would take the umask's mode.
func TestPrepareHistoryTrimsPrivately(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".spgo_history")
	var b strings.Builder
	for i := 1; i <= historyLimit+100; i++ {
		fmt.Fprintf(&b, "send chat -- line %d\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := prepareHistory(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != historyLimit || lines[0] != "send chat -- line 101" || lines[len(lines)-1] != fmt.Sprintf("send chat -- line %d", historyLimit+100) {
		t.Errorf("trimmed history has %d lines, %q .. %q", len(lines), lines[0], lines[len(lines)-1])
	}
	if m := fileMode(t, path); m != 0o600 {
		t.Errorf("trimmed history file mode %v, want 0600", m)
	}
	if left, _ := filepath.Glob(path + ".*"); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
}

// What is not a regular file is used as it is: /dev/null is not chmod-ed.
func TestPrepareHistoryLeavesDevicesAlone(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil {
		t.Skipf("no %s here: %v", os.DevNull, err)
	}
	before := fileMode(t, os.DevNull)
	if err := prepareHistory(os.DevNull); err != nil {
		t.Fatal(err)
	}
	if after := fileMode(t, os.DevNull); after != before {
		t.Errorf("%s mode changed from %v to %v", os.DevNull, before, after)
	}
}

// SPGO_HISTORY names the history file; /dev/null there means none, as
// psql's and redis-cli's history variables do.
func TestHistoryPathFromEnvironment(t *testing.T) {
	f, _ := testFactory(t, nil)
	env := map[string]string{"SPGO_HISTORY": "/tmp/h", "XDG_STATE_HOME": "/state", "HOME": "/home/u"}
	f.Getenv = func(k string) string { return env[k] }
	if p := historyPath(f); p != "/tmp/h" {
		t.Errorf("SPGO_HISTORY=/tmp/h: history %q", p)
	}
	env["SPGO_HISTORY"] = os.DevNull
	if p := historyPath(f); p != "" {
		t.Errorf("SPGO_HISTORY=%s: history %q, want none", os.DevNull, p)
	}
	if groups := historyGroups(historyPath(f)); groups != nil {
		t.Errorf("groups from no history: %v", groups)
	}
	env["SPGO_HISTORY"] = ""
	if p := historyPath(f); p != "/state/spgo/history" {
		t.Errorf("SPGO_HISTORY empty: history %q, want the default", p)
	}
}
