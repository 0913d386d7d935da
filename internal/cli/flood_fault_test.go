package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/spgo/spgo/internal/cli/iostreams"
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

// A fault happens once, halfway through the first run: a sweep or repeated
// runs would measure later runs without it, so both are refused.
func TestFloodFaultOnlyInOneRun(t *testing.T) {
	for _, fault := range [][]string{{"--crash", "d3"}, {"--partition", "d1,d2/d3"}} {
		for _, more := range [][]string{{"--repeat", "2"}, {"--sweep", "size=100,200"}} {
			args := append([]string{"--embedded", "--nodes", "3", "--services", "fifo"}, append(fault, more...)...)
			want := fault[0] + " is one fault in the first run; not with --sweep or --repeat"
			if code, msg := floodRefusal(t, args...); code != ExitUsage || !strings.Contains(msg, want) {
				t.Errorf("%q: exit %d %q, want %d saying %q", args, code, msg, ExitUsage, want)
			}
		}
	}
}

// The in-process ring splits halfway (--partition) with, by default, a
// sender and a receiver on each side: each side is reported and judged on
// its own, and the flood exits 7.
func TestFloodThroughPartitionText(t *testing.T) {
	out, errOut, err := floodOut(t, "--embedded", "--nodes", "3", "--services", "agreed", "--partition", "d1,d2/d3",
		"-m", "20000", "--rate", "20000", "--stall", "10s")
	if ExitCode(err) != ExitFault {
		t.Fatalf("err %v (exit %d), want %d; stderr %q\n%s", err, ExitCode(err), ExitFault, errOut, out)
	}
	for _, want := range []string{"splits d1,d2/d3 halfway", "senders on d1 (", "), d3 (", "; receivers on d2 (", "ok (fault)",
		"AGREED through a fault", "\n  side 1 of 2 (d1, d2): 1 sender, 1 receiver, ", "\n  side 2 of 2 (d3): 1 sender, 1 receiver, ",
		" delivered: ok (fault)\n", "transitional membership, seen by 1 receiver\n", "#d2, seen by 1 receiver\n", "#d3, seen by 1 receiver\n",
		"on each side: nothing lost that its receivers should have got, each sender's order kept, one total order"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "apart") || strings.Contains(out, "departed") {
		t.Errorf("a session reported apart or departed:\n%s", out)
	}
}

// sidesDoc is the tests' view of the sides in spgo flood -o json.
type sidesDoc struct {
	Points []struct {
		Results struct {
			Services []struct {
				Verdict string `json:"verdict"`
				Sides   []struct {
					Daemons     []string `json:"daemons"`
					Members     []string `json:"members"`
					Senders     []string `json:"senders"`
					Receivers   []string `json:"receivers"`
					Memberships []struct {
						Kind   string `json:"kind"`
						SeenBy int    `json:"seen_by"`
					} `json:"memberships"`
					Sent       int64    `json:"sent"`
					Delivered  int64    `json:"delivered"`
					Lost       int64    `json:"lost"`
					Violations []string `json:"violations"`
					Verdict    string   `json:"verdict"`
				} `json:"sides"`
				Clients []struct {
					Role   string `json:"role"`
					Daemon string `json:"daemon"`
					Side   int    `json:"side"`
				} `json:"clients"`
			} `json:"services"`
		} `json:"results"`
	} `json:"points"`
}

func TestFloodThroughPartitionJSON(t *testing.T) {
	out, errOut, err := floodOut(t, "--embedded", "--nodes", "4", "--partition", "d1,d2/d3,d4", "--receivers", "4",
		"--services", "safe", "-m", "10000", "--rate", "20000", "--stall", "10s", "-o", "json")
	if ExitCode(err) != ExitFault {
		t.Fatalf("err %v (exit %d); stderr %q", err, ExitCode(err), errOut)
	}
	var doc sidesDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	s := doc.Points[0].Results.Services[0]
	if s.Verdict != "ok (fault)" || len(s.Sides) != 2 {
		t.Fatalf("service %+v", s)
	}
	for k, want := range []string{"d1 d2", "d3 d4"} {
		side := s.Sides[k]
		last := side.Memberships[len(side.Memberships)-1]
		if strings.Join(side.Daemons, " ") != want || len(side.Senders) != 1 || len(side.Receivers) != 2 || len(side.Members) != 2 ||
			side.Sent != 10000 || side.Delivered <= 20000 || side.Lost != 0 || len(side.Violations) != 0 || side.Verdict != "ok (fault)" ||
			last.Kind != "network" || last.SeenBy != 2 {
			t.Errorf("side %d: %+v, want on %s", k+1, side, want)
		}
	}
	for _, c := range s.Clients {
		if want := map[string]int{"d1": 1, "d2": 1, "d3": 2, "d4": 2}[c.Daemon]; c.Side != want {
			t.Errorf("%s on %s: side %d, want %d", c.Role, c.Daemon, c.Side, want)
		}
	}
}

// floodRefusal runs spgo flood's validation on args: its exit code and
// error.
func floodRefusal(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdFlood(&Factory{IOStreams: ios, Getenv: func(string) string { return "" }},
		func(context.Context, *FloodOptions) error { return nil })
	cmd.SetArgs(args)
	cmd.SetOut(ios.Out)
	cmd.SetErr(ios.ErrOut)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	if err == nil {
		return 0, ""
	}
	return ExitCode(err), err.Error()
}

func TestFloodPartitionUsageErrors(t *testing.T) {
	ring := func(args ...string) []string {
		return append([]string{"--embedded", "--nodes", "3", "--services", "fifo"}, args...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--partition", "d1/d2"}, "--partition needs --embedded --nodes"},
		{ring("--partition", "d1,/d3"), `--partition "d1,/d3" is not allowed; give the sides separated by "/"`},
		{ring("--partition", "d1,d2,d3"), `--partition "d1,d2,d3" is not allowed; give two sides or more`},
		{ring("--partition", "d1,d2/d4"), `"d4" is not a node: the ring of 3 nodes has the nodes d1..d3`},
		{ring("--partition", "d1,d2/d2,d3"), "d2 is named twice"},
		{ring("--partition", "d1/d3"), "name every node exactly once; d2 is left out"},
		{ring("--partition", "d1,d2/d3", "--crash", "d3"), `--partition "d1,d2/d3" is not allowed; one fault per flood`},
		{[]string{"--embedded", "--nodes", "1", "--services", "fifo", "--partition", "d1"}, "a ring of 2 nodes or more splits"},
		{[]string{"--embedded", "--nodes", "3", "--partition", "d1,d2/d3"}, "with one service type only"},
		{ring("--partition", "d1,d2/d3", "--duration", "1s"), "not a duration"},
		{ring("--partition", "d1,d2/d3", "--senders-at", "d1,d2"), `--senders-at "d1,d2" is not allowed; with a partition every side needs a sender; none is on the side d3`},
		{ring("--partition", "d1,d2/d3", "--receiver-node", "3"), `--receivers-at "d3" is not allowed; with a partition every side needs a receiver; none is on the side d1,d2`},
	} {
		code, msg := floodRefusal(t, tc.args...)
		if code != ExitUsage || !strings.Contains(msg, tc.want) {
			t.Errorf("%q: exit %d %q, want %d saying %q", tc.args, code, msg, ExitUsage, tc.want)
		}
	}
}
