package embedded_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
	if r.CrashHalfway(func(error) {}) != nil {
		t.Error("a crash callback without a crash planned")
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
