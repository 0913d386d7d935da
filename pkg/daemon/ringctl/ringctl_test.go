package ringctl_test

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/ringctl"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

// TestRingControl: the control socket is private to its owner and applies
// faults; refused commands change nothing.
func TestRingControl(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	path := filepath.Join(t.TempDir(), "ring.ctl")
	cs, err := ringctl.Serve(r, path)
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
		{"crash", "", "daemon: crash: give one node name, e.g. crash d3"},
		{"partition", "", "daemon: partition: give one layout naming every node once, e.g. partition d1,d2/d3"},
		{"heal now", "", "daemon: heal: takes no arguments (just heal)"},
		{"reboot d1", "", `daemon: unknown command "reboot": want crash NODE, restart NODE, freeze NODE, thaw NODE, partition SPEC, heal, hold, step or status`},
		{"step", "", "daemon: step: no fault is held; first hold, then a fault (crash, restart, partition, heal, freeze or thaw), then step"},
		{"hold", "d1,d2,d3 held=next", ""},
		{"crash d2", "d1,d3 crashed=d2 held=unnoticed", ""},
		{"hold", "", "daemon: hold: a held fault is waiting already: step it to its end first (Step, spgo daemon ctl step)"},
		{"step", "d1,d3 crashed=d2 held=transitional", ""},
		{"heal", "", "daemon: a held fault is in its transitional configuration: step it to its end first (Step, spgo daemon ctl step)"},
		{"step", "d1,d3 crashed=d2", ""},
		{"restart d2", "d1,d2,d3", ""},
		{"freeze d3", "d1,d2 frozen=d3", ""},
		{"freeze d3", "", "daemon: node d3 is frozen already (thaw it first)"},
		{"restart d3", "", "daemon: node d3 is frozen, not crashed (thaw it, or crash it first)"},
		{"thaw d2", "", "daemon: node d2 is not frozen (freeze it first)"},
		{"thaw", "", "daemon: thaw: give one node name, e.g. thaw d3"},
		{"thaw d3", "d1,d2,d3", ""},
		{"freeze d1", "d2,d3 frozen=d1", ""},
		{"crash d1", "d2,d3 crashed=d1", ""},
		{"freeze d1", "", "daemon: node d1 is crashed: only a running node can be frozen (restart it first)"},
		{"thaw d1", "", "daemon: node d1 is crashed, not frozen (restart it)"},
		{"restart d1", "d1,d2,d3", ""},
		{"status", "d1,d2,d3", ""},
	} {
		got, err := ringctl.Send(path, tc.cmd)
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
	if _, err := ringctl.Send(path, "status"); !errors.Is(err, ringctl.ErrNoRing) {
		t.Fatalf("no ring: %v", err)
	}
}

// A line no ring could carry out is refused before anything is dialled:
// the user learns what to give, not that no ring is running.
func TestSendChecksTheLineBeforeDialling(t *testing.T) {
	nowhere := filepath.Join(t.TempDir(), "none.ctl")
	for line, want := range map[string]string{
		"crash":         "daemon: crash: give one node name, e.g. crash d3",
		"heal d1":       "daemon: heal: takes no arguments (just heal)",
		"partition d1,": `daemon: partition "d1,": `,
		"bogus":         `daemon: unknown command "bogus": want `,
	} {
		_, err := ringctl.Send(nowhere, line)
		var fe *daemon.FaultError
		if !errors.As(err, &fe) || errors.Is(err, ringctl.ErrNoRing) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Send(%q) = %v, want a *daemon.FaultError starting %q", line, err, want)
		}
		if ringctl.Check(line) == nil {
			t.Errorf("Check(%q) = nil", line)
		}
	}
	if err := ringctl.Check("partition d1,d2/d3"); err != nil {
		t.Errorf("Check of a well-formed partition: %v", err)
	}
}

// checkParsedLayout: ParseLayout reads reply back into what the ring's
// Layout says.
func checkParsedLayout(t *testing.T, r *daemon.Ring, reply string) {
	t.Helper()
	l, err := ringctl.ParseLayout(reply)
	comps, crashed := r.Layout()
	held := ""
	if _, h, ok := strings.Cut(reply, "held="); ok {
		held = h
	}
	frozen := r.Frozen()
	if err != nil || !reflect.DeepEqual(l.Components, comps) || !slices.Equal(l.Crashed, crashed) || !slices.Equal(l.Frozen, frozen) || l.Held != held {
		t.Errorf("ParseLayout(%q) = %+v, %v; the ring has %v crashed %v frozen %v held %q", reply, l, err, comps, crashed, frozen, held)
	}
	if got, want := len(l.Nodes()), len(r.Nodes()); got != want {
		t.Errorf("ParseLayout(%q).Nodes() = %v, want %d nodes", reply, l.Nodes(), want)
	}
}

func TestParseLayoutRefuses(t *testing.T) {
	for _, s := range []string{"", "d1,,d2", "d1,d2 lost=d3"} {
		if _, err := ringctl.ParseLayout(s); err == nil {
			t.Errorf("ParseLayout(%q): no error", s)
		}
	}
}

// TestServeSocketInUse: a second server on a live control socket is
// refused with daemon.ErrSocketInUse and leaves the first one serving; a
// socket left behind by a server that is gone is replaced.
func TestServeSocketInUse(t *testing.T) {
	r := spreadtest.Ring(t, 2)
	path := filepath.Join(t.TempDir(), "ring.ctl")
	first, err := ringctl.Serve(r, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ringctl.Serve(r, path); !errors.Is(err, daemon.ErrSocketInUse) {
		t.Fatalf("second Serve: %v, want daemon.ErrSocketInUse", err)
	}
	if got, err := ringctl.Send(path, "status"); err != nil || got != "d1,d2" {
		t.Fatalf("first server after the refused one: %q %v", got, err)
	}
	first.Close()

	// A socket nobody accepts on any more: what a killed ring leaves.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	second, err := ringctl.Serve(r, path)
	if err != nil {
		t.Fatalf("Serve over a stale socket: %v", err)
	}
	defer second.Close()
	if got, err := ringctl.Send(path, "status"); err != nil || got != "d1,d2" {
		t.Fatalf("server over a stale socket: %q %v", got, err)
	}
}

// TestLayoutRoundTrip: ParseLayout reads back every form String writes.
func TestLayoutRoundTrip(t *testing.T) {
	for _, l := range []ringctl.Layout{
		{Components: [][]string{{"d1", "d2", "d3"}}},
		{Components: [][]string{{"d1"}, {"d2", "d3"}}, Held: "next"},
		{Components: [][]string{{"d1", "d3"}}, Crashed: []string{"d2"}, Held: "transitional"},
		{Crashed: []string{"d1", "d2"}},
	} {
		s := l.String()
		got, err := ringctl.ParseLayout(s)
		if err != nil || !reflect.DeepEqual(got, l) {
			t.Errorf("ParseLayout(%q) = %+v, %v; want %+v", s, got, err, l)
		}
	}
	if s := (ringctl.Layout{Crashed: []string{"d1"}}).String(); s != "- crashed=d1" {
		t.Errorf("no live node: %q, want %q", s, "- crashed=d1")
	}
}
