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
