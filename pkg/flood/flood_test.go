package flood_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
)

func run(t *testing.T, cfg flood.Config) *flood.Results {
	t.Helper()
	if cfg.Daemon == "" {
		cfg.Daemon = spreadtest.Run(t).SpreadName()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := flood.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// Every service type delivers every message to every receiver, once, in
// the order it promises, and AGREED/SAFE receivers agree on one order.
func TestEveryServiceDeliversEverything(t *testing.T) {
	res := run(t, flood.Config{Count: 3000, Size: 200, Senders: 2, Receivers: 3, Window: 50})
	if len(res.Services) != 6 {
		t.Fatalf("got %d services, want 6", len(res.Services))
	}
	for _, s := range res.Services {
		if s.Sent != 6000 || s.Delivered != 18000 {
			t.Errorf("%s: sent %d delivered %d, want 6000 and 18000", s.Service, s.Sent, s.Delivered)
		}
		if s.Lost != 0 || s.Duplicated != 0 || s.TotalOrderDisagree != 0 || len(s.Warnings) != 0 {
			t.Errorf("%s: lost %d dup %d disagree %d warnings %q", s.Service, s.Lost, s.Duplicated, s.TotalOrderDisagree, s.Warnings)
		}
		if s.Service != "UNRELIABLE" && s.Service != "RELIABLE" && s.OutOfOrder != 0 {
			t.Errorf("%s: %d out of order", s.Service, s.OutOfOrder)
		}
		if s.Latency.Count != 18000 || s.Latency.P50 <= 0 || s.Latency.P50 > s.Latency.P99 || s.Latency.P99 > s.Latency.Max {
			t.Errorf("%s: latency %+v", s.Service, s.Latency)
		}
	}
}

// JSON output parses and its numbers agree with the count and the time.
func TestResultsJSONConsistent(t *testing.T) {
	res := run(t, flood.Config{Count: 2000, Size: 100, Receivers: 2, Services: flood.AllServices[4:5]})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Services []struct {
			Service   string  `json:"service"`
			Sent      int64   `json:"sent"`
			Delivered int64   `json:"delivered"`
			Elapsed   int64   `json:"elapsed_ns"`
			MsgRate   float64 `json:"msgs_per_sec"`
			MBRate    float64 `json:"mb_per_sec"`
		} `json:"services"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	s := back.Services[0]
	if s.Service != "AGREED" || s.Sent != 2000 || s.Delivered != 4000 || s.Elapsed <= 0 {
		t.Fatalf("got %+v", s)
	}
	want := 2000 / (float64(s.Elapsed) / 1e9)
	if math.Abs(s.MsgRate-want) > want*1e-9 || math.Abs(s.MBRate-want*100/1e6) > 1e-6 {
		t.Errorf("rate %.1f msg/s %.3f MB/s, want %.1f and %.3f", s.MsgRate, s.MBRate, want, want*100/1e6)
	}
}
