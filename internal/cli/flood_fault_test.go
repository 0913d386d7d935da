package cli

import (
	"strings"
	"testing"
)

// A node of the in-process ring crashes halfway (--crash): the flood
// reports the fault and its survivors' verdict, and exits 7.
func TestFloodThroughCrashText(t *testing.T) {
	out, errOut, err := floodOut(t, "--embedded", "--nodes", "3", "--receivers-at", "d2,d3", "--receivers", "2",
		"--services", "agreed", "--crash", "d3", "-m", "20000", "--rate", "20000", "--stall", "10s")
	if ExitCode(err) != ExitFault {
		t.Fatalf("err %v (exit %d), want %d; stderr %q\n%s", err, ExitCode(err), ExitFault, errOut, out)
	}
	for _, want := range []string{"d3 crashes halfway", "ok (fault)", "AGREED through a fault", "transitional membership, seen by 1 receiver\n",
		"network membership of 1: #", "#d2, seen by 1 receiver\n", "receiver #", "#d3 departed: ", "longest gap between deliveries at a survivor: ",
		"among the survivors: nothing lost that a survivor got, each sender's order kept, one total order"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestFloodThroughCrashJSON(t *testing.T) {
	out, errOut, err := floodOut(t, "--embedded", "--nodes", "2", "--senders-at", "d1,d2", "--senders", "2", "--receivers-at", "d2",
		"--services", "safe", "--crash", "d1", "-m", "10000", "--rate", "20000", "--stall", "10s", "-o", "json")
	if ExitCode(err) != ExitFault {
		t.Fatalf("err %v (exit %d); stderr %q", err, ExitCode(err), errOut)
	}
	doc := floodJSON(t, out)
	s := doc.Points[0].Results.Services[0]
	if s.Verdict != "ok (fault)" || len(s.Violations) != 0 || s.LongestGap <= 0 || len(s.Faults) != 1 ||
		s.Faults[0].Kind != "departed" || s.Faults[0].Role != "sender" || s.Faults[0].After <= 0 || !strings.HasSuffix(s.Faults[0].Members[0], "#d1") {
		t.Fatalf("service %+v", s)
	}
	if c := s.Clients[0]; c.Daemon != "d1" || !c.Departed {
		t.Errorf("sender on d1: %+v", c)
	}
}

func TestFloodCrashUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--crash", "d1"}, // no ring
		{"--embedded", "--nodes", "3", "--crash", "d4"},
		{"--embedded", "--nodes", "3", "--crash", "d2"}, // all six types: d2 stays down
		{"--embedded", "--nodes", "3", "--crash", "d2", "--services", "fifo", "--duration", "1s"},
	} {
		if _, code := parseFlood(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
