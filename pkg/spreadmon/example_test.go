package spreadmon_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// A health check: ask the daemons, then check that each sees the whole
// ring and retransmits little. Here the answers are made by hand: d2 sees
// only itself, d3 did not answer.
func ExampleCheck() {
	addr := func(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
	res := []spreadmon.Result{
		{Target: spreadmon.Target{Name: "d1", Addr: addr("10.0.0.1:4803")}, Status: &spreadmon.Status{Sec: 100, NumProcs: 3, Retrans: 20}},
		{Target: spreadmon.Target{Name: "d2", Addr: addr("10.0.0.2:4803")}, Status: &spreadmon.Status{Sec: 100, NumProcs: 1}},
		{Target: spreadmon.Target{Name: "d3", Addr: addr("10.0.0.3:4803")}, Err: fmt.Errorf("%w within 1s", spreadmon.ErrNoAnswer)},
	}
	checks := spreadmon.Checks{ExpectDaemons: 3, LimitRetrans: true, MaxRetransRate: 0.1}
	if err := checks.Validate(); err != nil {
		log.Fatal(err)
	}
	for _, p := range spreadmon.Check(res, nil, checks) {
		fmt.Printf("%s: %v\n", p.Reason, p)
	}
	// Output:
	// no answer: d3 (10.0.0.3:4803) did not answer: no answer within 1s
	// retransmission rate: d1 (10.0.0.1:4803) retransmits 0.2 packets/s since start, more than 0.1
	// membership size: d2 (10.0.0.2:4803) sees 1 daemon in its membership, expected 3
}

// Rates between two polls of the same targets, ten seconds apart.
func ExampleRatesBetween() {
	t := spreadmon.Target{Name: "d1", Addr: netip.MustParseAddrPort("10.0.0.1:4803")}
	before := []spreadmon.Result{{Target: t, Status: &spreadmon.Status{Sec: 100, PacketSent: 1000, Retrans: 5}}}
	after := []spreadmon.Result{{Target: t, Status: &spreadmon.Status{Sec: 110, PacketSent: 6000, Retrans: 7}}}
	r := spreadmon.RatesBetween(before, after, 10*time.Second)[0]
	fmt.Printf("sent %.0f/s, retransmitted %.1f/s\n", r.Sent, r.Retrans)
	// Output:
	// sent 500/s, retransmitted 0.2/s
}

// ParseTarget reads a daemon as spmonitor's users write it.
func ExampleParseTarget() {
	for _, s := range []string{"10.0.0.1", "10.0.0.1:4900", "[::1]:4803"} {
		t, err := spreadmon.ParseTarget(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(t.Addr)
	}
	// Output:
	// 10.0.0.1:4803
	// 10.0.0.1:4900
	// target "[::1]:4803": the monitor protocol reaches IPv4 daemons only
}

// ParseServers reads daemons by the names Spread clients give them: a
// daemon's monitor port is its client port.
func ExampleParseServers() {
	targets, err := spreadmon.ParseServers("4803,4804@10.0.0.2")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range targets {
		fmt.Println(t.Addr)
	}
	_, err = spreadmon.ParseServers("4803,")
	fmt.Println(err)
	// Output:
	// 127.0.0.1:4803
	// 10.0.0.2:4804
	// server "4803,": empty daemon name in "4803,": allowed are PORT or PORT@HOST, several separated by commas
}

// Poll an embedded spgo daemon, as a real daemon would be polled, and
// check its answer. The daemon answers only because statusudp serves it.
func Example() {
	d, err := daemon.Start(daemon.Config{Name: "d1", NoUnixSocket: true})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	conn, err := statusudp.Listen("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	r := statusudp.Serve(conn, statusudp.Options{Node: d})
	defer r.Close()

	targets := []spreadmon.Target{{Name: "d1", Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()}}
	p, err := spreadmon.NewPoller(netip.MustParseAddr("127.0.0.1"), targets)
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	res := p.Poll(context.Background(), time.Second)
	if res[0].Err != nil {
		log.Fatal(res[0].Err) // without statusudp.Serve: "no answer within 1s"
	}
	s := res[0].Status
	fmt.Println(spreadmon.StateName(s.State), s.NumProcs, "daemon, version", s.Version())
	fmt.Println(len(spreadmon.Check(res, nil, spreadmon.Checks{ExpectDaemons: 1})), "problems")
	// Output:
	// OP 1 daemon, version 4.4.0
	// 0 problems
}
