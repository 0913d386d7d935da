package flood_test

import (
	"context"
	"errors"
	"testing"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
)

// Repeat runs the points round robin: every point's first run, then every
// point's second, each run flooding every service type, numbered from 1.
func TestRepeatRoundRobin(t *testing.T) {
	d := spreadtest.Run(t).SpreadName()
	var order []int
	pts, err := flood.Repeat(context.Background(), flood.Config{Daemon: d, Count: 300, Services: flood.AllServices[4:6]},
		flood.SweepSize, []int{100, 2000}, 2, func(p flood.Point) { order = append(order, p.Size*10+p.Run) })
	if err != nil {
		t.Fatal(err)
	}
	want := []int{1001, 20001, 1002, 20002}
	if len(order) != len(want) || len(pts) != len(want) {
		t.Fatalf("runs (size*10+run) %v, want %v", order, want)
	}
	for i, w := range want {
		if order[i] != w || pts[i].Size*10+pts[i].Run != w {
			t.Errorf("run %d: got %d (point %d/%d), want %d", i, order[i], pts[i].Size, pts[i].Run, w)
		}
		if s := pts[i].Results.Services; len(s) != 2 || s[0].Service != "AGREED" || s[1].Service != "SAFE" || s[1].Delivered != 300 {
			t.Errorf("run %d: services %+v, want AGREED then SAFE, 300 delivered", i, s)
		}
	}
}

// Without a sweep, Repeat runs the base configuration; fewer than one run
// is a ConfigError naming Repeat.
func TestRepeatPlainAndRefusals(t *testing.T) {
	d := spreadtest.Run(t).SpreadName()
	pts, err := flood.Repeat(context.Background(), flood.Config{Daemon: d, Count: 200, Size: 300, Services: flood.AllServices[2:3]}, "", nil, 3, nil)
	if err != nil || len(pts) != 3 || pts[2].Run != 3 || pts[2].Size != 300 || pts[2].Results.Services[0].Delivered != 200 {
		t.Fatalf("Repeat 3: %v, %+v", err, pts)
	}
	var ce *flood.ConfigError
	if _, err := flood.Repeat(context.Background(), flood.Config{Daemon: d}, "", nil, 0, nil); !errors.As(err, &ce) || ce.Field != "Repeat" {
		t.Errorf("Repeat 0: %v, want a ConfigError on Repeat", err)
	}
}
