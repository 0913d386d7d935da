package flood_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// Sessions are placed round robin over the daemons of a ring; every
// receiver, whichever daemon it is on, gets everything in the one total
// order, and the results are given per receiver daemon as well as merged.
func TestPlacementAcrossRing(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	d1, d2, d3 := r.Node("d1").SpreadName(), r.Node("d2").SpreadName(), r.Node("d3").SpreadName()
	res := run(t, flood.Config{Daemon: d1, SenderDaemons: []string{d1, d2}, ReceiverDaemons: []string{d2, d3},
		Count: 1000, Size: 100, Senders: 2, Receivers: 4, Window: 50, RTTEvery: 50,
		Services: []spread.ServiceType{spread.AgreedMess, spread.SafeMess}})
	if strings.Join(res.SendersAt, " ") != d1+" "+d2 || strings.Join(res.ReceiversAt, " ") != d2+" "+d3 {
		t.Errorf("placement in results: %v -> %v", res.SendersAt, res.ReceiversAt)
	}
	for _, s := range res.Services {
		if s.Delivered != 2000*4 || s.Lost != 0 || s.TotalOrderDisagree != 0 || len(s.Warnings) != 0 {
			t.Errorf("%s: delivered %d lost %d disagree %d warnings %q", s.Service, s.Delivered, s.Lost, s.TotalOrderDisagree, s.Warnings)
		}
		if len(s.ByDaemon) != 2 {
			t.Fatalf("%s: by daemon %+v, want d2 and d3", s.Service, s.ByDaemon)
		}
		var merged int64
		for i, want := range []string{d2, d3} {
			d := s.ByDaemon[i]
			if d.Daemon != want || d.Receivers != 2 || d.Delivered != 4000 || d.Latency.Count != 4000 || d.MsgRate <= 0 ||
				d.RTT == nil || d.RTT.Count != 2*20*2 {
				t.Errorf("%s: daemon %d: %+v (rtt %+v)", s.Service, i, d, d.RTT)
			}
			merged += d.Delivered
		}
		if merged != s.Delivered {
			t.Errorf("%s: per-daemon deliveries sum to %d, merged %d", s.Service, merged, s.Delivered)
		}
		want := []string{d1, d2, d2, d3, d2, d3} // senders, then receivers round robin
		node := map[string]string{d1: "d1", d2: "d2", d3: "d3"}
		for i, c := range s.Clients {
			if c.Daemon != want[i] || !strings.HasSuffix(c.Name, "#"+node[want[i]]) {
				t.Errorf("%s: client %d %s (%s) on %s, want %s", s.Service, i, c.Name, c.Role, c.Daemon, want[i])
			}
		}
	}
	// Per service type: one sender on d1; one sender and two receivers on
	// d2; two receivers on d3.
	for name, want := range map[string]uint64{"d1": 2, "d2": 6, "d3": 4} {
		if got := r.Node(name).Stats().Connects; got != want {
			t.Errorf("%s accepted %d sessions, want %d", name, got, want)
		}
	}
}

// The same daemon may be named twice: its receivers count once each, and
// are reported as one daemon.
func TestPlacementSameDaemonTwice(t *testing.T) {
	d := spreadtest.Run(t).SpreadName()
	res := run(t, flood.Config{Daemon: d, ReceiverDaemons: []string{d, d}, Count: 500, Receivers: 3,
		Services: []spread.ServiceType{spread.FIFOMess}})
	s := res.Services[0]
	if s.Delivered != 1500 || len(s.ByDaemon) != 1 || s.ByDaemon[0].Receivers != 3 || s.ByDaemon[0].Delivered != 1500 {
		t.Fatalf("delivered %d, by daemon %+v", s.Delivered, s.ByDaemon)
	}
}

// A placement naming a daemon that does not answer fails before anything
// is sent: every session connects before the start signal.
func TestPlacementDeadDaemonFailsBeforeSending(t *testing.T) {
	live := spreadtest.Run(t)
	dead := spreadtest.Run(t, spreadtest.WithName("dead"))
	deadName := dead.SpreadName()
	dead.Close()
	_, err := flood.Run(context.Background(), flood.Config{Daemon: live.SpreadName(),
		SenderDaemons: []string{live.SpreadName()}, ReceiverDaemons: []string{live.SpreadName(), deadName},
		Count: 100, Receivers: 2, Services: []spread.ServiceType{spread.AgreedMess}})
	var se *spread.Error
	if !errors.As(err, &se) || se.Code != spread.CouldNotConnect || se.Daemon != deadName {
		t.Fatalf("err %v, want could-not-connect naming %s", err, deadName)
	}
	// The live daemon saw one receiver connect and join, and no data.
	st := live.Stats()
	if st.Connects != 1 {
		t.Errorf("live daemon accepted %d sessions before the failure, want 1 (the first receiver)", st.Connects)
	}
	if st.MessagesIn > 2 { // the receiver's join (and its disconnect)
		t.Errorf("live daemon ordered %d client frames, want no data", st.MessagesIn)
	}
}

func TestPlacementEmptyNameRefused(t *testing.T) {
	err := flood.Config{Daemon: "4803", ReceiverDaemons: []string{""}}.Check()
	var ce *flood.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("err %v, want a ConfigError", err)
	}
}

// Listing daemons puts a session on each of them at least: more only when
// Senders or Receivers ask for more, round robin. A side that runs
// elsewhere is not placed.
func TestPlacementListedDaemonsCountSessions(t *testing.T) {
	fifo := []spread.ServiceType{spread.FIFOMess}
	for _, tc := range []struct {
		cfg                flood.Config
		senders, receivers int
	}{
		{flood.Config{SenderDaemons: []string{"a"}, ReceiverDaemons: []string{"b", "c"}}, 1, 2},
		{flood.Config{Senders: 1, Receivers: 1, SenderDaemons: []string{"a", "b", "c"}, ReceiverDaemons: []string{"b", "c"}}, 3, 2},
		{flood.Config{Senders: 4, Receivers: 3, SenderDaemons: []string{"a", "b"}, ReceiverDaemons: []string{"b", "c"}}, 4, 3},
		{flood.Config{Mode: flood.ModeReadOnly, Services: fifo, SenderDaemons: []string{"a", "b"}, ReceiverDaemons: []string{"b", "c"}}, 0, 2},
		{flood.Config{Mode: flood.ModeWriteOnly, Services: fifo, SenderDaemons: []string{"a", "b"}, ReceiverDaemons: []string{"b", "c"}}, 2, 0},
	} {
		got, err := tc.cfg.SettingsWithDefaults()
		if err != nil || got.Senders != tc.senders || got.Receivers != tc.receivers {
			t.Errorf("%v over %v -> %v: %d senders, %d receivers (%v), want %d, %d", tc.cfg.Mode, tc.cfg.SenderDaemons, tc.cfg.ReceiverDaemons,
				got.Senders, got.Receivers, err, tc.senders, tc.receivers)
		}
	}
}

// The README's placement, one receiver by default over two nodes: a
// receiver runs on each, and the results say so.
func TestPlacementReceiverOnEachDaemonListed(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	d1, d2, d3 := r.Node("d1").SpreadName(), r.Node("d2").SpreadName(), r.Node("d3").SpreadName()
	res := run(t, flood.Config{Daemon: d1, SenderDaemons: []string{d1}, ReceiverDaemons: []string{d2, d3},
		Count: 300, Size: 100, Services: []spread.ServiceType{spread.AgreedMess}})
	s := res.Services[0]
	if res.Senders != 1 || res.Receivers != 2 || s.Delivered != 600 || len(s.ByDaemon) != 2 {
		t.Fatalf("%d senders, %d receivers, delivered %d, by daemon %+v", res.Senders, res.Receivers, s.Delivered, s.ByDaemon)
	}
	for i, want := range []string{d2, d3} {
		if d := s.ByDaemon[i]; d.Daemon != want || d.Receivers != 1 {
			t.Errorf("daemon %d: %s with %d receivers, want %s with 1", i, d.Daemon, d.Receivers, want)
		}
	}
}

// A sweep over receivers refuses a count below the daemons listed before
// anything runs: its point would be labelled with a count it did not run.
func TestCheckSweepReceiversBelowPlacement(t *testing.T) {
	base := flood.Config{Daemon: "4803", ReceiverDaemons: []string{"a", "b", "c"}}
	err := flood.CheckSweep(base, flood.SweepReceivers, []int{4, 2, 8})
	var ce *flood.ConfigError
	if !errors.As(err, &ce) || ce.Field != "Receivers" || ce.Value != 2 || !strings.Contains(err.Error(), "at least 3") {
		t.Fatalf("err %v, want a ConfigError on Receivers 2 asking for at least 3", err)
	}
	if _, err := flood.Sweep(context.Background(), base, flood.SweepReceivers, []int{2}, nil); !errors.As(err, &ce) {
		t.Errorf("Sweep ran a point CheckSweep refuses: %v", err)
	}
	for _, ok := range []struct {
		dim    string
		values []int
	}{{flood.SweepReceivers, []int{3, 4}}, {flood.SweepSize, []int{100}}} {
		if err := flood.CheckSweep(base, ok.dim, ok.values); err != nil {
			t.Errorf("%s %v: %v", ok.dim, ok.values, err)
		}
	}
	if err := flood.CheckSweep(base, "window", []int{1}); !errors.As(err, &ce) {
		t.Errorf("unknown dimension: %v", err)
	}
}

// A placement describes and relabels the daemons by the names a reader
// knows them by; a daemon without a label keeps its address.
func TestPlacementDescribeAndRelabel(t *testing.T) {
	p := flood.Placement{Senders: []string{"1@a"}, Receivers: []string{"2@b", "9@z"}, Labels: map[string]string{"1@a": "d1", "2@b": "d2"}}
	if got, want := p.Describe(), "senders on d1 (1@a); receivers on d2 (2@b), 9@z (round robin)"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	if got := (flood.Placement{}).Describe(); got != "" {
		t.Errorf("no placement described as %q", got)
	}
	res := &flood.Results{SendersAt: []string{"1@a"}, ReceiversAt: []string{"2@b", "9@z"},
		Services: []flood.ServiceResult{{ByDaemon: []flood.DaemonResult{{Daemon: "2@b"}, {Daemon: "9@z"}}, Clients: []flood.Client{{Daemon: "1@a"}}}}}
	p.Relabel([]flood.Point{{Results: res}})
	s := res.Services[0]
	if strings.Join(res.SendersAt, ",") != "d1" || strings.Join(res.ReceiversAt, ",") != "d2,9@z" ||
		s.ByDaemon[0].Daemon != "d2" || s.ByDaemon[1].Daemon != "9@z" || s.Clients[0].Daemon != "d1" {
		t.Errorf("relabelled: %v -> %v, %+v", res.SendersAt, res.ReceiversAt, s)
	}
}

// A count below 1 is refused by name; CountError is the same refusal for
// a caller whose 0 is not "the default" (a command line's -m 0).
func TestCountRefused(t *testing.T) {
	err := flood.Config{Daemon: "4803", Count: -5}.Check()
	var ce *flood.ConfigError
	if !errors.As(err, &ce) || ce.Field != "Count" || err.Error() != flood.CountError(-5).Error() {
		t.Fatalf("Count -5: %v", err)
	}
	if got, want := flood.CountError(0).Text("-m"), "-m 0 is not allowed; at least 1"; got != want {
		t.Errorf("CountError(0).Text = %q, want %q", got, want)
	}
}
