package cli

import (
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
)

func TestFloodPlacementUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--embedded", "--senders-at", "d1"},                        // one daemon has no nodes to name
		{"--nodes", "3"},                                            // a ring needs --embedded
		{"--embedded", "--nodes", "3", "--receivers-at", "d4"},      // no such node
		{"--embedded", "--nodes", "0"},                              // no ring
		{"--embedded", "--nodes", "2", "--transport", "unix"},       // nodes have TCP addresses
		{"--senders-at", "4803x"},                                   // not a daemon name
		{"--receivers-at", "4803@a,"},                               // an empty name
		{"--receiver-server", "4803@a", "--receivers-at", "4803@b"}, // two ways of saying it
		{"--sender-node", "2"},                                      // a node without a ring
		{"--embedded", "--nodes", "3", "--sender-node", "4"},
	} {
		if _, code := parseFlood(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, ExitUsage)
		}
	}
	o, code := parseFlood(t, "--embedded", "--embedded-nodes", "3", "--receiver-node", "2")
	if code != 0 || o.Nodes != 3 || strings.Join(o.SendersAt, ",") != "d1" || strings.Join(o.ReceiversAt, ",") != "d2" {
		t.Errorf("shorthands: exit %d, %+v", code, o)
	}
	o, code = parseFlood(t, "--embedded", "--nodes", "4")
	if code != 0 || strings.Join(o.SendersAt, ",") != "d1" || strings.Join(o.ReceiversAt, ",") != "d4" {
		t.Errorf("ring defaults: exit %d, %v -> %v", code, o.SendersAt, o.ReceiversAt)
	}
}

// Across the in-process ring: receivers on two nodes, results per node as
// well as merged, one total order across them, clients named by node.
func TestFloodAcrossRingJSON(t *testing.T) {
	out, errOut, err := floodOut(t, "--embedded", "--nodes", "3", "--senders-at", "d1", "--receivers-at", "d2,d3",
		"--receivers", "3", "--services", "agreed", "--rtt", "-o", "json")
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut)
	}
	doc := floodJSON(t, out)
	r := doc.Points[0].Results
	if !strings.HasPrefix(doc.Env.Placement, "senders on d1 (") || strings.Join(r.SendersAt, ",") != "d1" || strings.Join(r.ReceiversAt, ",") != "d2,d3" {
		t.Errorf("placement %q, %v -> %v", doc.Env.Placement, r.SendersAt, r.ReceiversAt)
	}
	s := r.Services[0]
	if s.Delivered != 3*2000 || s.Disagree != 0 || len(s.ByDaemon) != 2 {
		t.Fatalf("service %+v", s)
	}
	// Receivers round robin: d2, d3, d2.
	for i, want := range []struct {
		daemon string
		n      int
	}{{"d2", 2}, {"d3", 1}} {
		d := s.ByDaemon[i]
		if d.Daemon != want.daemon || d.Receivers != want.n || d.Delivered != int64(want.n)*2000 || d.RTT == nil || d.RTT.Count != int64(want.n)*20 {
			t.Errorf("by daemon %d: %+v, want %s with %d receivers", i, d, want.daemon, want.n)
		}
	}
	for i, want := range []string{"d1", "d2", "d3", "d2"} {
		if c := s.Clients[i]; c.Daemon != want || !strings.HasSuffix(c.Name, "#"+want) {
			t.Errorf("client %d %s (%s) on %s, want %s", i, c.Name, c.Role, c.Daemon, want)
		}
	}
}

// The text output has a table per receiver daemon.
func TestFloodAcrossRingText(t *testing.T) {
	out, errOut, err := floodOut(t, "--embedded", "--nodes", "2", "--receivers-at", "d1,d2", "--receivers", "2", "--services", "fifo")
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut)
	}
	for _, want := range []string{"sessions: senders on d1 (", "; receivers on d1 (", "DAEMON", "RECEIVERS", "│ FIFO    │ d1     │", "│ FIFO    │ d2     │"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// A placement naming a daemon that does not answer: exit 3, and no result.
func TestFloodPlacementDeadDaemon(t *testing.T) {
	live := spreadtest.Run(t).SpreadName()
	dead := spreadtest.Run(t, spreadtest.WithName("dead"))
	deadName := dead.SpreadName()
	dead.Close()
	out, errOut, err := floodOut(t, "-s", live, "--receivers-at", live+","+deadName, "--receivers", "2", "--services", "agreed")
	if ExitCode(err) != ExitConnect || !strings.Contains(err.Error(), "connecting to "+deadName) {
		t.Fatalf("err %v (exit %d), want exit 3 naming %s; stderr %q", err, ExitCode(err), deadName, errOut)
	}
	if strings.Contains(out, "MSG/S") {
		t.Errorf("a result table after a failed placement:\n%s", out)
	}
}

// The banner and env.transport name what -s reaches, for a local flood and
// for one across agents alike.
func TestTransportOf(t *testing.T) {
	for server, want := range map[string]string{"4803": "unix", "4803@localhost": "tcp", "4803@127.0.0.1": "tcp", "4803@[::1]": "tcp"} {
		if got := transportOf(server); got != want {
			t.Errorf("transportOf(%q) = %q, want %q", server, got, want)
		}
	}
}
