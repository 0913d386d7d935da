package daemon_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
)

// TestRingControl: the control socket is private to its owner and applies
// faults; refused commands change nothing.
func TestRingControl(t *testing.T) {
	r := startRing(t, 3)
	path := filepath.Join(t.TempDir(), "ring.ctl")
	cs, err := r.ServeControl(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("control socket mode %v %v, want a socket with 0600", fi.Mode(), err)
	}
	for _, tc := range []struct{ cmd, reply, err string }{
		{"status", "d1,d2,d3", ""},
		{"crash d3", "d1,d2 crashed=d3", ""},
		{"partition d1/d2,d3", "d1/d2 crashed=d3", ""},
		{"restart d3", "d1/d2,d3", ""},
		{"heal", "d1,d2,d3", ""},
		{"crash d7", "", `daemon: unknown node "d7", the nodes are d1, d2, d3`},
		{"partition d1,d2", "", "daemon: partition leaves out d3; name every node exactly once (nodes: d1, d2, d3)"},
		{"partition d1,,d2/d3", "", `daemon: partition "d1,,d2/d3": component 1 has an empty node name (e.g. d1,d2/d3)`},
		{"crash", "", "daemon: crash takes one node name (crash d3)"},
		{"reboot d1", "", `daemon: unknown command "reboot": want crash NODE, restart NODE, partition SPEC, heal, hold, step or status`},
		{"step", "", "daemon: no held fault to step (Hold, then a fault)"},
		{"hold", "d1,d2,d3 held=next", ""},
		{"crash d2", "d1,d3 crashed=d2 held=unnoticed", ""},
		{"heal", "", "daemon: a held fault is waiting: step it to its end first (Step, spgo daemon ctl step)"},
		{"step", "d1,d3 crashed=d2 held=transitional", ""},
		{"step", "d1,d3 crashed=d2", ""},
		{"restart d2", "d1,d2,d3", ""},
		{"status", "d1,d2,d3", ""},
	} {
		got, err := daemon.Control(path, tc.cmd)
		var fe *daemon.FaultError
		switch {
		case tc.err == "" && (err != nil || got != tc.reply):
			t.Errorf("%q: got %q %v, want %q", tc.cmd, got, err, tc.reply)
		case tc.err == "":
			checkParsedLayout(t, r, got)
		case tc.err != "" && (err == nil || err.Error() != tc.err || !errors.As(err, &fe)):
			t.Errorf("%q: got error %v, want %s", tc.cmd, err, tc.err)
		}
	}
	cs.Close()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("control socket left: %v", err)
	}
	if _, err := daemon.Control(path, "status"); !errors.Is(err, daemon.ErrNoRing) {
		t.Fatalf("no ring: %v", err)
	}
}

// checkParsedLayout: ParseLayout reads reply back into what the ring's
// Layout says.
func checkParsedLayout(t *testing.T, r *daemon.Ring, reply string) {
	t.Helper()
	l, err := daemon.ParseLayout(reply)
	comps, crashed := r.Layout()
	held := ""
	if _, h, ok := strings.Cut(reply, "held="); ok {
		held = h
	}
	if err != nil || !reflect.DeepEqual(l.Components, comps) || !slices.Equal(l.Crashed, crashed) || l.Held != held {
		t.Errorf("ParseLayout(%q) = %+v, %v; the ring has %v crashed %v held %q", reply, l, err, comps, crashed, held)
	}
	if got, want := len(l.Nodes()), len(r.Nodes()); got != want {
		t.Errorf("ParseLayout(%q).Nodes() = %v, want %d nodes", reply, l.Nodes(), want)
	}
}

func TestParseLayoutRefuses(t *testing.T) {
	for _, s := range []string{"", "d1,,d2", "d1,d2 lost=d3"} {
		if _, err := daemon.ParseLayout(s); err == nil {
			t.Errorf("ParseLayout(%q): no error", s)
		}
	}
}
