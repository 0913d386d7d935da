package cli

import (
	"context"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// TestMonitorRing: spgo monitor against a ring of spgo daemons, each node
// answering for itself: all see 3 daemons; after a crash the crashed node
// is down (exit 4) and the others see 2 (exit 6 once it is left out).
func TestMonitorRing(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	nodes := r.Nodes()
	mon, err := startMonitorUDP(nodes, r.Nodes, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.TCPAddr().String())
	}
	run := func(expect int, daemons ...string) (string, error) {
		f, io := testFactory(t, nil)
		f.Now = time.Now
		err := monitorRun(context.Background(), &MonitorOptions{Factory: f, Daemons: daemons, Output: OutputJSON,
			Timeout: 300 * time.Millisecond, ExpectDaemons: expect, MaxRetransRate: -1})
		return io.out.String(), err
	}
	out, err := run(3, addrs...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Count(out, `"num_procs":3`) != 3 || strings.Count(out, `"up":true`) != 3 {
		t.Errorf("ring of 3:\n%s", out)
	}
	for _, n := range nodes {
		if !strings.Contains(out, `"address":"`+n.TCPAddr().String()+`"`) {
			t.Errorf("no line for %s", n.Name())
		}
	}

	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	out, err = run(3, addrs...)
	if ExitCode(err) != ExitTimeout || !strings.Contains(err.Error(), addrs[2]+" did not answer") {
		t.Fatalf("after the crash: %v (exit %d)\n%s", err, ExitCode(err), out)
	}
	out, err = run(3, addrs[:2]...)
	if ExitCode(err) != ExitCheck || err.Error() != "check failed: "+addrs[0]+" sees 2 daemons in its membership, expected 3" {
		t.Fatalf("survivors: %v (exit %d)\n%s", err, ExitCode(err), out)
	}
	if _, err := run(2, addrs[:2]...); err != nil {
		t.Fatal(err)
	}
}

// TestMonitorUDPPortInUse: spgo daemon with a UDP port already taken is a
// usage error at start, naming --no-monitor.
func TestMonitorUDPPortInUse(t *testing.T) {
	d := spreadtest.Run(t)
	first, err := startMonitorUDP([]*daemon.Daemon{d}, nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, err = startMonitorUDP([]*daemon.Daemon{d}, nil, slog.New(slog.DiscardHandler))
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "address already in use (--no-monitor to go without)") {
		t.Fatalf("%v (exit %d)", err, ExitCode(err))
	}
}

func TestMonitorUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--timeout", "0"}, "spgo: invalid --timeout 0s: must be more than 0\n"},
		{[]string{"--interval", "1s", "--timeout", "2s"}, "spgo: --interval 1s is shorter than --timeout 2s: make the interval longer\n"},
		{[]string{"--count", "-1"}, "spgo: invalid --count -1: allowed is 0 (no limit) or more\n"},
		{[]string{"--expect-daemons", "200"}, "spgo: invalid --expect-daemons 200: allowed 1..128\n"},
		{[]string{"--max-retrans-rate", "-1"}, "spgo: invalid --max-retrans-rate -1: must be 0 or more\n"},
		{[]string{"--http", "x:1", "-d", "127.0.0.1"}, "spgo: --http cannot be used with --conf, -d or -s: it reads one spgo daemon's /status\n"},
		{[]string{"--http", "x:1", "-s", "4803"}, "spgo: --http cannot be used with --conf, -d or -s: it reads one spgo daemon's /status\n"},
		{[]string{"-s", "4803x"}, "spgo: invalid -s \"4803x\": \"x\" follows the port; want \"@HOST\"\n"},
		{[]string{"-s", "4803,,4804"}, "spgo: invalid -s \"4803,,4804\": empty daemon name in \"4803,,4804\": allowed are PORT or PORT@HOST, several separated by commas\n"},
		{[]string{"-d", "::1"}, "spgo: invalid -d \"::1\": the monitor protocol reaches IPv4 daemons only\n"},
		{[]string{"-d", "127.0.0.1", "--identity", "nonsense"}, "spgo: invalid --identity \"nonsense\": want a daemon name of --conf or an IPv4 address of this host\n"},
		{[]string{"-d", "127.0.0.1", "--identity", "192.0.2.1"}, "spgo: --identity: identity 192.0.2.1 is not an address of this host: listen udp4 192.0.2.1:0: bind: cannot assign requested address\n"},
	}
	for _, c := range cases {
		f, _ := testFactory(t, nil)
		code, _, stderr := execRoot(t, f, append([]string{"monitor"}, c.args...)...)
		if code != ExitUsage || stderr != c.want {
			t.Errorf("%q: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}

func TestMonitorTimeoutFollowsInterval(t *testing.T) {
	f, _ := testFactory(t, nil)
	var got *MonitorOptions
	cmd := NewCmdMonitor(f, func(_ context.Context, o *MonitorOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--interval", "300ms"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Timeout != 300*time.Millisecond || got.MaxRetransRate != -1 {
		t.Errorf("timeout %v, max retrans %v", got.Timeout, got.MaxRetransRate)
	}
}

// TestMonitorTableLeader: the LEADER column is a daemon's name, aligned
// left like DAEMON and ADDRESS, and only an address when two targets share
// it (the record names the leader by its address alone).
func TestMonitorTableLeader(t *testing.T) {
	at := func(port uint16) netip.AddrPort { return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port) }
	leader := int32(0x7f000001)
	for _, tc := range []struct {
		targets []spreadmon.Target
		want    string // the leader cell of the first row, with its padding
	}{
		{[]spreadmon.Target{{Name: "mon1", Addr: at(4803)}}, " mon1   "},
		{[]spreadmon.Target{{Name: "a", Addr: at(4803)}, {Name: "b", Addr: at(4804)}}, " 127.0.0.1 "},
	} {
		f, _ := testFactory(t, nil)
		v := newMonitorView(&MonitorOptions{Factory: f}, tc.targets)
		var res []spreadmon.Result
		for _, tg := range tc.targets {
			res = append(res, spreadmon.Result{Target: tg, Status: &spreadmon.Status{State: 1, LeaderID: leader}})
		}
		table := v.table(res, make([]*spreadmon.Rates, len(res)))
		lines := strings.Split(table, "\n")
		header, row := strings.Split(lines[1], "│"), strings.Split(lines[3], "│")
		col := slices.IndexFunc(header, func(c string) bool { return strings.TrimSpace(c) == "LEADER" })
		if col < 0 || header[col] != " LEADER"+strings.Repeat(" ", len(tc.want)-len(" LEADER")) || row[col] != tc.want {
			t.Errorf("%v: want the LEADER column left-aligned, first row %q:\n%s", tc.targets, tc.want, table)
		}
	}
}
