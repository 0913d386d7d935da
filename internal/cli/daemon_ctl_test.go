package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon/ringctl"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

// complete runs `spgo __complete args...` as a shell's completion script
// does and returns the offers and the directive line.
func complete(t *testing.T, args ...string) (offers []string, directive string) {
	t.Helper()
	f, _ := testFactory(t, nil)
	code, stdout, stderr := execRoot(t, f, append([]string{"__complete"}, args...)...)
	if code != ExitOK {
		t.Fatalf("__complete %q: exit %d, %s", args, code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// TestDaemonCtlCompletesNodes: the ctl arguments come from the running
// ring's layout: live nodes to crash, crashed nodes to restart, the nodes a
// partition has not named yet; nothing without a ring.
func TestDaemonCtlCompletesNodes(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	path := filepath.Join(t.TempDir(), "ring.ctl")
	cs, err := ringctl.Serve(r, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if _, err := ringctl.Send(path, "crash d2"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args      []string
		want      string // the offers, separated by |
		directive string // 4: no file names; 6: and no space after
	}{
		{[]string{"crash", ""}, "d1|d3", ":4"},
		{[]string{"crash", "d3"}, "d3", ":4"},
		{[]string{"restart", ""}, "d2", ":4"},
		{[]string{"freeze", ""}, "d1|d3", ":4"},
		{[]string{"thaw", ""}, "", ":4"},
		{[]string{"partition", ""}, "d1|d3|d2", ":6"},
		{[]string{"partition", "d3,"}, "d3,d1|d3,d2", ":6"},
		{[]string{"partition", "d1,d3/d"}, "d1,d3/d2", ":6"},
		{[]string{"heal", ""}, "", ":4"},
	} {
		offers, directive := complete(t, append([]string{"daemon", "ctl", "--ctl", path}, tc.args...)...)
		if got := strings.Join(offers, "|"); got != tc.want || directive != tc.directive {
			t.Errorf("complete %q: %q %s, want %q %s", tc.args, got, directive, tc.want, tc.directive)
		}
	}
	cs.Close()
	if offers, _ := complete(t, "daemon", "ctl", "--ctl", path, "crash", ""); len(offers) != 0 {
		t.Errorf("no ring: offers %q", offers)
	}
}
