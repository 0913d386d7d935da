package flood_test

import (
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// crashWhen returns a Progress callback that crashes node once the flood
// has delivered more than after messages.
func crashWhen(t *testing.T, crash func() error, after int64) func(flood.Progress) {
	var once sync.Once
	return func(p flood.Progress) {
		if p.Delivered > after {
			once.Do(func() {
				if err := crash(); err != nil {
					t.Errorf("crash: %v", err)
				}
			})
		}
	}
}

func kinds(events []flood.FaultEvent) map[string]int {
	k := map[string]int{}
	for _, e := range events {
		k[e.Kind]++
	}
	return k
}

// A receivers' daemon crashes mid-flood: the survivors see the
// transitional and network memberships, get every message in one order,
// and the run is judged among them instead of ending in a stall.
func TestFloodThroughReceiverDaemonCrash(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	d1, d2, d3 := r.Node("d1").SpreadName(), r.Node("d2").SpreadName(), r.Node("d3").SpreadName()
	res := run(t, flood.Config{Daemon: d1, ReceiverDaemons: []string{d2, d3}, Count: 20000, Size: 100, Receivers: 4,
		Rate: 40000, Services: []spread.ServiceType{spread.AgreedMess}, Stall: 10 * time.Second,
		Progress: crashWhen(t, func() error { return r.Crash("d3") }, 8000)})
	s := res.Services[0]
	if s.Verdict != flood.VerdictFaultKept || len(s.Violations) != 0 || len(s.Warnings) != 0 {
		t.Fatalf("verdict %q violations %q warnings %q faults %+v", s.Verdict, s.Violations, s.Warnings, s.Faults)
	}
	k := kinds(s.Faults)
	if k[flood.FaultTransitional] != 1 || k[flood.FaultNetwork] != 1 || k[flood.FaultDeparted] != 2 {
		t.Fatalf("faults %+v, want one transitional and one network membership and two departed receivers", s.Faults)
	}
	for _, e := range s.Faults {
		if e.Kind == flood.FaultNetwork && (e.SeenBy != 2 || len(e.Members) != 2) {
			t.Errorf("network membership %+v, want seen by the 2 survivors, listing them", e)
		}
	}
	var survivors int
	for _, c := range s.Clients {
		if c.Role != flood.RoleReceiver {
			continue
		}
		switch {
		case c.Daemon == d3 && !c.Departed:
			t.Errorf("receiver %s on the crashed daemon not departed", c.Name)
		case c.Daemon == d2 && (c.Departed || c.Messages != 20000 || c.Check.Lost != 0):
			t.Errorf("survivor %s: departed %v, %d messages, lost %d", c.Name, c.Departed, c.Messages, c.Check.Lost)
		case c.Daemon == d2:
			survivors++
		}
	}
	if survivors != 2 || s.Lost != 0 || s.TotalOrderDisagree != 0 || s.LongestGap <= 0 {
		t.Errorf("survivors %d lost %d disagree %d longest gap %v", survivors, s.Lost, s.TotalOrderDisagree, s.LongestGap)
	}
	// The same clients as parts of a flood across processes (one each)
	// merge into the same figures.
	var parts []*flood.ServiceResult
	for _, c := range s.Clients {
		parts = append(parts, &flood.ServiceResult{Group: s.Group, Clients: []flood.Client{c}})
	}
	m := flood.Merge(spread.AgreedMess, 100, parts)
	if m.MsgRate != s.MsgRate || m.MBRate != s.MBRate || m.Delivered != s.Delivered || m.Elapsed != s.Elapsed || m.LongestGap != s.LongestGap {
		t.Errorf("merged: %g msg/s %g MB/s, %d delivered in %s, gap %s; local: %g msg/s %g MB/s, %d delivered in %s, gap %s",
			m.MsgRate, m.MBRate, m.Delivered, m.Elapsed, m.LongestGap, s.MsgRate, s.MBRate, s.Delivered, s.Elapsed, s.LongestGap)
	}
}

// The senders' daemon crashes: of the departed sender's messages the
// survivors must agree on what they got; its undelivered rest is not
// loss, and the other sender's messages all arrive.
func TestFloodThroughSenderDaemonCrash(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	d1, d2, d3 := r.Node("d1").SpreadName(), r.Node("d2").SpreadName(), r.Node("d3").SpreadName()
	res := run(t, flood.Config{Daemon: d1, SenderDaemons: []string{d1, d2}, ReceiverDaemons: []string{d3},
		Count: 10000, Size: 100, Senders: 2, Receivers: 2, Rate: 40000, Stall: 10 * time.Second,
		Services: []spread.ServiceType{spread.SafeMess},
		Progress: crashWhen(t, func() error { return r.Crash("d1") }, 5000)})
	s := res.Services[0]
	if s.Verdict != flood.VerdictFaultKept || len(s.Violations) != 0 || len(s.Warnings) != 0 {
		t.Fatalf("verdict %q violations %q warnings %q faults %+v", s.Verdict, s.Violations, s.Warnings, s.Faults)
	}
	if k := kinds(s.Faults); k[flood.FaultDeparted] != 1 || len(s.Faults) != 1 {
		t.Fatalf("faults %+v, want the departed sender only (no member was on d1)", s.Faults)
	}
	gone, live := s.Clients[0], s.Clients[1]
	if !gone.Departed || gone.Daemon != d1 || gone.Messages >= 10000 || live.Departed || live.Messages != 10000 {
		t.Fatalf("senders: %+v / %+v", gone, live)
	}
	for _, c := range s.Clients[2:] {
		if c.Departed || c.Check.Lost != 0 || c.Messages < 10000 || c.Messages > 10000+gone.Messages {
			t.Errorf("receiver %s: %d messages, lost %d", c.Name, c.Messages, c.Check.Lost)
		}
	}
	if s.Clients[2].Messages != s.Clients[3].Messages || s.TotalOrderDisagree != 0 {
		t.Errorf("survivors got %d and %d, disagree %d", s.Clients[2].Messages, s.Clients[3].Messages, s.TotalOrderDisagree)
	}
}

// A session cut off alone (its daemon serves the others) is no fault: it
// stays a disturbance, with its loss counted.
func TestKickedSessionIsNoFault(t *testing.T) {
	d := spreadtest.Run(t)
	var once sync.Once
	res := run(t, flood.Config{Daemon: d.SpreadName(), Name: "kick", Count: 2000, Rate: 5000, Receivers: 2,
		Services: []spread.ServiceType{spread.FIFOMess}, Progress: func(p flood.Progress) {
			if p.Delivered > 0 {
				once.Do(func() { d.KillSession("kick1") })
			}
		}})
	if s := res.Services[0]; s.Faults != nil || s.Verdict != flood.VerdictBroken {
		t.Fatalf("faults %+v verdict %q", s.Faults, s.Verdict)
	}
}

// The ring splits, the senders' side keeping one receiver: the receiver
// apart stops getting their messages and is reported so, the senders'
// windows stop waiting for it, and the run is judged on the senders' side.
func TestFloodThroughPartition(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	d1, d2, d3 := r.Node("d1").SpreadName(), r.Node("d2").SpreadName(), r.Node("d3").SpreadName()
	res := run(t, flood.Config{Daemon: d1, ReceiverDaemons: []string{d2, d3}, Count: 20000, Size: 100, Receivers: 2,
		Rate: 40000, Services: []spread.ServiceType{spread.AgreedMess}, Stall: 10 * time.Second,
		Progress: crashWhen(t, func() error { return r.Partition([]string{"d1", "d2"}, []string{"d3"}) }, 8000)})
	s := res.Services[0]
	if s.Verdict != flood.VerdictFaultKept || len(s.Violations) != 0 || len(s.Warnings) != 0 {
		t.Fatalf("verdict %q violations %q warnings %q faults %+v", s.Verdict, s.Violations, s.Warnings, s.Faults)
	}
	if k := kinds(s.Faults); k[flood.FaultTransitional] < 1 || k[flood.FaultNetwork] != 2 || k[flood.FaultApart] != 1 {
		t.Fatalf("faults %+v, want the transitional and the two sides' network memberships, and one receiver apart", s.Faults)
	}
	sender, near, far := s.Clients[0], s.Clients[1], s.Clients[2]
	if sender.Messages != 20000 || near.Daemon != d2 || near.Departed || near.Messages != 20000 || near.Check.Lost != 0 {
		t.Errorf("senders' side: sender %d, receiver %+v", sender.Messages, near)
	}
	if far.Daemon != d3 || !far.Departed || far.Messages >= 20000 || far.Check.Lost != 0 {
		t.Errorf("receiver apart: %+v", far)
	}
}

// The ring splits with a sender and two receivers on each side: each side
// goes on as a flood of its own and is judged on its own, its receivers
// getting all of their side's sender's messages and the same share of the
// other side's (what reached them in the old view).
func TestFloodThroughPartitionBothSides(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	d1, d2, d3 := r.Node("d1").SpreadName(), r.Node("d2").SpreadName(), r.Node("d3").SpreadName()
	res := run(t, flood.Config{Daemon: d1, SenderDaemons: []string{d1, d3}, ReceiverDaemons: []string{d2, d3}, Count: 20000, Size: 100,
		Senders: 2, Receivers: 4, Rate: 40000, Services: []spread.ServiceType{spread.SafeMess}, Stall: 10 * time.Second,
		Progress: crashWhen(t, func() error { return r.Partition([]string{"d1", "d2"}, []string{"d3"}) }, 40000)})
	s := res.Services[0]
	if s.Verdict != flood.VerdictFaultKept || len(s.Violations) != 0 || len(s.Warnings) != 0 || len(s.Sides) != 2 {
		t.Fatalf("verdict %q violations %q warnings %q sides %+v", s.Verdict, s.Violations, s.Warnings, s.Sides)
	}
	if k := kinds(s.Faults); k[flood.FaultApart] != 0 || k[flood.FaultDeparted] != 0 || k[flood.FaultNetwork] != 2 {
		t.Fatalf("faults %+v, want the two sides' network memberships and nobody apart", s.Faults)
	}
	for k, side := range s.Sides {
		if side.Verdict != flood.VerdictFaultKept || side.Lost != 0 || side.Sent != 20000 || len(side.Senders) != 1 ||
			len(side.Receivers) != 2 || len(side.Members) != 2 {
			t.Errorf("side %d: %+v", k+1, side)
		}
		if n := len(side.Memberships); n < 2 || side.Memberships[n-1].Kind != flood.FaultNetwork || side.Memberships[n-1].SeenBy != 2 {
			t.Errorf("side %d memberships %+v, want its network view last, seen by both receivers", k+1, side.Memberships)
		}
	}
	got := map[int][]int64{}
	for _, c := range s.Clients {
		want := map[string]int{d1: 1, d2: 1, d3: 2}[c.Daemon]
		if c.Side != want || c.Departed {
			t.Errorf("%s %s on %s: side %d departed %v, want side %d", c.Role, c.Name, c.Daemon, c.Side, c.Departed, want)
		}
		if c.Role == flood.RoleReceiver {
			got[c.Side] = append(got[c.Side], c.Messages)
		}
	}
	for side, n := range got {
		if len(n) != 2 || n[0] != n[1] || n[0] <= 20000 || n[0] >= 40000 {
			t.Errorf("side %d receivers got %v: want the same, all of their sender's and part of the other's", side, n)
		}
	}
}
