package embedded_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/embedded"
	"github.com/spgo/spgo/pkg/spread"
)

var agreed = []spread.ServiceType{spread.AgreedMess}

// A plan's defaults: senders on d1, receivers on the last node.
func TestResolveDefaults(t *testing.T) {
	p := embedded.RingPlan{Nodes: 4}
	if err := p.Resolve(flood.Config{Services: agreed}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.SendersAt, ",") != "d1" || strings.Join(p.ReceiversAt, ",") != "d4" {
		t.Errorf("defaults %v -> %v, want d1 -> d4", p.SendersAt, p.ReceiversAt)
	}
}

func split(spec string) [][]string {
	sides, err := embedded.ParsePartition(spec)
	if err != nil {
		panic(err)
	}
	return sides
}

// With a partition the defaults put a sender on the first node of each
// side and a receiver on the last.
func TestResolvePartitionDefaults(t *testing.T) {
	p := embedded.RingPlan{Nodes: 5, Partition: split("d1,d2/d3/d4,d5")}
	if err := p.Resolve(flood.Config{Services: agreed}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.SendersAt, ",") != "d1,d3,d4" || strings.Join(p.ReceiversAt, ",") != "d2,d3,d5" {
		t.Errorf("defaults %v -> %v, want d1,d3,d4 -> d2,d3,d5", p.SendersAt, p.ReceiversAt)
	}
}

// A malformed partition is a ConfigError on Partition.
func TestParsePartitionRefusals(t *testing.T) {
	for _, spec := range []string{"", "d1,/d2", "d1//d2"} {
		_, err := embedded.ParsePartition(spec)
		var ce *flood.ConfigError
		if !errors.As(err, &ce) || ce.Field != "Partition" || !strings.Contains(err.Error(), "(e.g. d1,d2/d3)") {
			t.Errorf("%q: %v", spec, err)
		}
	}
	if got := embedded.PartitionSpec(split(" d1 , d2/d3")); got != "d1,d2/d3" {
		t.Errorf("PartitionSpec = %q", got)
	}
}

// Every refusal names the RingPlan field at fault and says what is allowed.
func TestResolveRefusals(t *testing.T) {
	for _, tc := range []struct {
		plan  embedded.RingPlan
		cfg   flood.Config
		field string
		want  string
	}{
		{embedded.RingPlan{Nodes: 0}, flood.Config{}, "Nodes", "1..128"},
		{embedded.RingPlan{Nodes: 129}, flood.Config{}, "Nodes", "1..128"},
		{embedded.RingPlan{Nodes: 3, ReceiversAt: []string{"d4"}}, flood.Config{}, "ReceiversAt", `"d4" is not allowed; the ring of 3 nodes has the nodes d1..d3`},
		{embedded.RingPlan{Nodes: 3, SendersAt: []string{"d01"}}, flood.Config{}, "SendersAt", `"d01"`},
		{embedded.RingPlan{Nodes: 3, Crash: "x"}, flood.Config{Services: agreed}, "Crash", "d1..d3"},
		{embedded.RingPlan{Nodes: 3, Crash: "d2"}, flood.Config{}, "Crash", "one service type only"},
		{embedded.RingPlan{Nodes: 3, Crash: "d2"}, flood.Config{Services: agreed, Duration: time.Second}, "Crash", "not a duration"},
		{embedded.RingPlan{Nodes: 3, Crash: "d3", Partition: split("d1,d2/d3")}, flood.Config{Services: agreed}, "Partition", `"d1,d2/d3" is not allowed; one fault per flood`},
		{embedded.RingPlan{Nodes: 1, Partition: split("d1")}, flood.Config{Services: agreed}, "Partition", "2 nodes or more"},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1,d2,d3")}, flood.Config{Services: agreed}, "Partition", "two sides or more"},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1,d2/d4")}, flood.Config{Services: agreed}, "Partition", `"d4" is not a node: the ring of 3 nodes has the nodes d1..d3`},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1,d2/d2,d3")}, flood.Config{Services: agreed}, "Partition", "d2 is named twice"},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1/d3")}, flood.Config{Services: agreed}, "Partition", "d2 is left out"},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1,d2/d3")}, flood.Config{}, "Partition", "one service type only"},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1,d2/d3")}, flood.Config{Services: agreed, Duration: time.Second}, "Partition", "not a duration"},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1,d2/d3"), SendersAt: []string{"d1", "d2"}}, flood.Config{Services: agreed}, "SendersAt",
			`"d1,d2" is not allowed; with a partition every side needs a sender; none is on the side d3`},
		{embedded.RingPlan{Nodes: 3, Partition: split("d1/d2,d3"), ReceiversAt: []string{"d2"}}, flood.Config{Services: agreed}, "ReceiversAt", "none is on the side d1"},
	} {
		err := tc.plan.Resolve(tc.cfg)
		var ce *flood.ConfigError
		if !errors.As(err, &ce) || ce.Field != tc.field || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want a ConfigError on %s saying %q", tc.plan, err, tc.field, tc.want)
		}
	}
}

// A flood over the started ring: the placement is the nodes' addresses,
// labelled with their names, and the crash planned comes halfway.
func TestRingPlacementAndCrash(t *testing.T) {
	plan := embedded.RingPlan{Nodes: 3, ReceiversAt: []string{"d2", "d3"}, Crash: "d3"}
	if err := plan.Resolve(flood.Config{Services: agreed}); err != nil {
		t.Fatal(err)
	}
	r, err := embedded.StartRing(plan)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pl := r.Placement
	if len(pl.Senders) != 1 || len(pl.Receivers) != 2 || pl.Label(pl.Senders[0]) != "d1" || pl.Label(pl.Receivers[1]) != "d3" {
		t.Fatalf("placement %+v", pl)
	}
	if got := r.Kind(); got != "embedded spgo ring of 3 nodes, d3 crashes halfway" {
		t.Errorf("Kind = %q", got)
	}
	crash := r.CrashHalfway(func(err error) { t.Errorf("crash: %v", err) })
	crash(flood.Progress{Index: 0, Expected: 100, Delivered: 49})
	if err := dial(pl.Receivers[1]); err != nil {
		t.Fatalf("d3 down before halfway: %v", err)
	}
	crash(flood.Progress{Index: 0, Expected: 100, Delivered: 50})
	if err := dial(pl.Receivers[1]); err == nil {
		t.Fatal("d3 still answers after halfway")
	}
	if err := dial(pl.Receivers[0]); err != nil {
		t.Errorf("d2 down too: %v", err)
	}
}

// The partition planned comes halfway: a member on each side sees the
// other leave in a network membership.
func TestRingPartitionHalfway(t *testing.T) {
	plan := embedded.RingPlan{Nodes: 3, Partition: split("d1,d2/d3")}
	if err := plan.Resolve(flood.Config{Services: agreed}); err != nil {
		t.Fatal(err)
	}
	r, err := embedded.StartRing(plan)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Kind(); got != "embedded spgo ring of 3 nodes, splits d1,d2/d3 halfway" {
		t.Errorf("Kind = %q", got)
	}
	pl := r.Placement
	if len(pl.Senders) != 2 || pl.Label(pl.Senders[1]) != "d3" || pl.Label(pl.Receivers[0]) != "d2" {
		t.Fatalf("placement %+v", pl)
	}
	near, far := spreadtest.Connect(t, pl.Receivers[0]), spreadtest.Connect(t, pl.Receivers[1])
	if err := near.Join("g"); err != nil {
		t.Fatal(err)
	}
	spreadtest.NextMembership(t, near, 5*time.Second)
	if err := far.Join("g"); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{near, far} {
		if m := spreadtest.NextMembership(t, mb, 5*time.Second); len(m.Members) != 2 {
			t.Fatalf("%s: join %v, want both members", mb.PrivateGroup(), m.Members)
		}
	}
	if r.CrashHalfway(func(error) {}) != nil {
		t.Error("a crash callback with a partition planned")
	}
	part := r.FaultHalfway(func(err error) { t.Errorf("partition: %v", err) })
	part(flood.Progress{Index: 0, Expected: 100, Delivered: 50})
	for _, mb := range []*spread.Mailbox{near, far} {
		for {
			m := spreadtest.NextMembership(t, mb, 5*time.Second)
			if m.Cause == spread.CauseNetwork {
				if len(m.Members) != 1 || m.Members[0] != mb.PrivateGroup() {
					t.Errorf("%s: network membership %v, want itself alone", mb.PrivateGroup(), m.Members)
				}
				break
			}
		}
	}
}

// Without a crash planned there is no progress callback to run.
func TestNoCrashNoCallback(t *testing.T) {
	plan := embedded.RingPlan{Nodes: 1}
	if err := plan.Resolve(flood.Config{}); err != nil {
		t.Fatal(err)
	}
	r, err := embedded.StartRing(plan)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.CrashHalfway(func(error) {}) != nil || r.PartitionHalfway(func(error) {}) != nil || r.FaultHalfway(func(error) {}) != nil {
		t.Error("a fault callback without a fault planned")
	}
}

// The single daemon answers over TCP and over its unix socket, and Close
// removes the socket's directory.
func TestStartDaemon(t *testing.T) {
	for _, unix := range []bool{false, true} {
		d, err := embedded.StartDaemon(unix)
		if err != nil {
			t.Fatal(err)
		}
		if err := dial(d.Name, d.Options...); err != nil {
			t.Errorf("unix %v: %s: %v", unix, d.Name, err)
		}
		if unix == strings.Contains(d.Name, "@") {
			t.Errorf("unix %v: daemon name %q", unix, d.Name)
		}
		d.Close()
		if err := dial(d.Name, d.Options...); err == nil {
			t.Errorf("unix %v: %s answers after Close", unix, d.Name)
		}
	}
}

func dial(name string, opts ...spread.Option) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	mb, err := spread.ConnectContext(ctx, name, append(opts, spread.WithTimeout(2*time.Second))...)
	if err != nil {
		return err
	}
	return mb.Disconnect()
}
