package cli

import (
	"strings"
	"testing"
)

// --rtt adds a round-trip table (text) and rtt objects (JSON) with as many
// round trips as were sampled: every Nth message, echoed by each receiver.
func TestFloodRTT(t *testing.T) {
	out, errOut, err := floodOut(t, "--embedded", "--rtt", "--rtt-every", "20", "--services", "agreed,fifo", "--receivers", "2")
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut)
	}
	for _, want := range []string{"round trips: every 20th message echoed by each receiver", "ROUND TRIPS", "RTT P50"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// 2000 messages, every 20th, 2 receivers: 200 round trips per type.
	if n := strings.Count(out, "│         200 │"); n != 2 {
		t.Errorf("%d rows with 200 round trips, want 2:\n%s", n, out)
	}

	out, errOut, err = floodOut(t, "--embedded", "--rtt", "--services", "safe", "-o", "json")
	if err != nil {
		t.Fatalf("%v (stderr %q)", err, errOut)
	}
	doc := floodJSON(t, out)
	r := doc.Points[0].Results
	if r.RTTEvery != 100 || r.Services[0].RTT == nil || r.Services[0].RTT.Count != 20 || r.Services[0].RTT.P50 <= 0 ||
		r.Services[0].RTT.P99 < r.Services[0].RTT.P50 {
		t.Fatalf("rtt in JSON: every %d, %+v; want 20 round trips (2000 messages, every 100th, 1 receiver)", r.RTTEvery, r.Services[0].RTT)
	}
}

func TestFloodRTTUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--rtt-every", "10"},
		{"--rtt", "--rtt-every", "0"},
		{"--rtt", "--wo"},
	} {
		if _, code := parseFlood(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, ExitUsage)
		}
	}
	if o, code := parseFlood(t, "--rtt", "--ro"); code != 0 || !o.RTT || o.RTTEvery != 100 {
		t.Errorf("--rtt --ro: exit %d %+v", code, o)
	}
}
