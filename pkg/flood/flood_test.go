package flood_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
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

// Duration mode: senders send for a time; receivers must get all of it.
func TestDurationMode(t *testing.T) {
	res := run(t, flood.Config{Duration: 200 * time.Millisecond, Size: 64, Services: flood.AllServices[2:3], Receivers: 2})
	s := res.Services[0]
	if s.Sent == 0 || s.Delivered != 2*s.Sent || s.Lost != 0 || len(s.Warnings) != 0 {
		t.Fatalf("sent %d delivered %d lost %d warnings %q", s.Sent, s.Delivered, s.Lost, s.Warnings)
	}
}

// Under --rate the senders are paced: the run takes about count/rate.
func TestRateIsPaced(t *testing.T) {
	start := time.Now()
	res := run(t, flood.Config{Count: 200, Rate: 2000, Senders: 2, Services: flood.AllServices[4:5]})
	took := time.Since(start)
	s := res.Services[0]
	if s.Delivered != 400 || s.Elapsed < 180*time.Millisecond || took < 180*time.Millisecond {
		t.Fatalf("400 messages at 2000/s: delivered %d in %s (run %s), want about 200ms", s.Delivered, s.Elapsed, took)
	}
}

// spflooder's split: one process only receives (-ro), another only sends
// (-wo); both wait for the group to have two members (-n 2).
func TestReadOnlyAndWriteOnly(t *testing.T) {
	d := spreadtest.Run(t).SpreadName()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc := flood.AllServices[2:3]
	type out struct {
		res *flood.Results
		err error
	}
	ro := make(chan out, 1)
	go func() {
		r, err := flood.Run(ctx, flood.Config{Daemon: d, Services: svc, Count: 5000, Mode: flood.ModeReadOnly, WaitMembers: 2})
		ro <- out{r, err}
	}()
	wo, err := flood.Run(ctx, flood.Config{Daemon: d, Services: svc, Count: 5000, Mode: flood.ModeWriteOnly, WaitMembers: 2, Window: 100})
	if err != nil {
		t.Fatalf("write-only: %v", err)
	}
	// Write-only reports what its senders read back (their echoes).
	if s := wo.Services[0]; s.Sent != 5000 || s.Delivered != 5000 || s.MsgRate <= 0 || s.Latency.Count != 5000 || len(s.Warnings) != 0 {
		t.Fatalf("write-only: %+v", s)
	}
	r := <-ro
	if r.err != nil {
		t.Fatalf("read-only: %v", r.err)
	}
	s := r.res.Services[0]
	if s.Delivered != 5000 || s.Lost != 0 || s.OutOfOrder != 0 || s.MsgRate <= 0 || len(s.Warnings) != 0 {
		t.Fatalf("read-only: %+v", s)
	}
}

// A receiver the daemon cuts off mid-run makes the run a disturbed one:
// a warning names it and its missing messages count as loss, and the
// sender goes on for the other receiver.
func TestKickedReceiverIsReported(t *testing.T) {
	d := spreadtest.Run(t)
	var once sync.Once
	res := run(t, flood.Config{Daemon: d.SpreadName(), Name: "kick", Count: 2000, Rate: 5000, Receivers: 2,
		Services: flood.AllServices[1:2], Progress: func(p flood.Progress) {
			if p.Delivered > 0 {
				once.Do(func() {
					if !d.KillSession("kick1") {
						t.Error("no session kick1")
					}
				})
			}
		}})
	s := res.Services[0]
	if !res.Disturbed() || s.Lost == 0 || s.Sent != 2000 {
		t.Fatalf("want a warning, loss and all 2000 sent: %+v", s)
	}
	var cut, lost bool
	for _, w := range s.Warnings {
		cut = cut || strings.Contains(w, "receiver #kick1#localhost was cut off")
		lost = lost || strings.Contains(w, "RELIABLE lost")
	}
	if !cut || !lost {
		t.Fatalf("warnings %q should name the cut-off receiver and the loss", s.Warnings)
	}
	if got := s.Clients[2].Messages; got != 2000 {
		t.Errorf("the other receiver got %d of 2000", got)
	}
}

func TestSweepSizes(t *testing.T) {
	d := spreadtest.Run(t).SpreadName()
	pts, err := flood.Sweep(context.Background(), flood.Config{Daemon: d, Count: 500, Services: flood.AllServices[3:5]},
		flood.SweepSize, []int{100, 5000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 || pts[0].Size != 100 || pts[1].Size != 5000 || len(pts[1].Results.Services) != 2 {
		t.Fatalf("points %+v", pts)
	}
	if _, _, err := flood.ParseSweep("colour=1"); err == nil {
		t.Error("ParseSweep accepted colour")
	}
	if dim, v, err := flood.ParseSweep("receivers=1,3"); err != nil || dim != "receivers" || len(v) != 2 || v[1] != 3 {
		t.Errorf("ParseSweep receivers=1,3: %s %v %v", dim, v, err)
	}
}

// stallConn stalls its writes once, after the first 20 KB: the injected
// fault for the coordinated-omission test.
type stallConn struct {
	net.Conn
	written int
	stalled *atomic.Bool
	stall   time.Duration
}

func (c *stallConn) Write(b []byte) (int, error) {
	c.written += len(b)
	if c.written > 20_000 && c.stalled.CompareAndSwap(false, true) {
		time.Sleep(c.stall) // the fault itself, not synchronisation
	}
	return c.Conn.Write(b)
}

// Under --rate, a 300ms stall of the sender delays every message that
// should have gone out meanwhile, and the latency shows it: measured from
// the intended send time, far more than one message is ~100ms+ late.
func TestRateCorrectsCoordinatedOmission(t *testing.T) {
	var stalled atomic.Bool
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &stallConn{Conn: c, stalled: &stalled, stall: 300 * time.Millisecond}, nil
	}
	res := run(t, flood.Config{Count: 600, Size: 100, Rate: 1000, Services: flood.AllServices[4:5],
		Options: []spread.Option{spread.WithDialer(dial)}})
	s := res.Services[0]
	if !stalled.Load() || s.Delivered != 600 {
		t.Fatalf("stalled %v, delivered %d", stalled.Load(), s.Delivered)
	}
	// ~300 messages were due during the stall: their latencies run from
	// ~300ms down to 0, so the p75 is still far above a normal delivery.
	h := s.Histogram()
	if p75 := time.Duration(h.ValueAtQuantile(75)); p75 < 50*time.Millisecond || s.Latency.Max < 250*time.Millisecond {
		t.Fatalf("p75 %s max %s: the stall is not charged to the messages behind it", p75, s.Latency.Max)
	}
}

// When the daemon goes away mid-run the flood stops with ErrDaemonLost
// (not a connect error for the next service type) and keeps what it
// measured so far.
func TestDaemonLostEndsRun(t *testing.T) {
	d := spreadtest.Run(t)
	var once sync.Once
	closed := make(chan struct{})
	res, err := flood.Run(context.Background(), flood.Config{Daemon: d.SpreadName(), Name: "gone", Count: 100000, Rate: 5000,
		Services: flood.AllServices[1:3], Progress: func(p flood.Progress) {
			if p.Delivered > 0 {
				once.Do(func() { go func() { d.Close(); close(closed) }() })
			}
		}})
	<-closed
	if !errors.Is(err, flood.ErrDaemonLost) {
		t.Fatalf("err = %v, want ErrDaemonLost", err)
	}
	if res == nil || len(res.Services) != 1 || !res.Services[0].DaemonLost {
		t.Fatalf("want one service result marked DaemonLost, got %+v", res)
	}
}

// Check refuses what Run would, without connecting: non-finite or tiny
// rates (the send interval would overflow) and group names that cannot
// carry the per-service suffix within Spread's 31 bytes.
func TestConfigCheck(t *testing.T) {
	bad := []flood.Config{
		{Daemon: "4803", Rate: math.NaN()},
		{Daemon: "4803", Rate: math.Inf(1)},
		{Daemon: "4803", Rate: 1e-300},
		{Daemon: "4803", Group: "abcdefghijklmnopqrstuvwxyz"},
		{Daemon: "4803", Group: "a b"},
	}
	for _, c := range bad {
		var ce *flood.ConfigError
		if err := c.Check(); !errors.As(err, &ce) {
			t.Errorf("Check(rate %v, group %q) = %v, want a ConfigError", c.Rate, c.Group, err)
		}
	}
	ok := flood.Config{Daemon: "4803", Rate: 1000, Group: "abcdefghijklmnopqrstuvwxyz", Services: flood.AllServices[4:5]}
	if err := ok.Check(); err != nil {
		t.Errorf("one service type needs no suffix room: %v", err)
	}
	// The refusal names the limit that applies: Spread's own for one type,
	// the room left by the suffix for several.
	long := strings.Repeat("g", 32)
	for _, c := range []struct {
		cfg  flood.Config
		want string
	}{
		{flood.Config{Daemon: "4803", Group: long, Services: flood.AllServices[4:5]}, "is 32 bytes: allowed 1..31"},
		{flood.Config{Daemon: "4803", Group: "abcdefghijklmnopqrstuvwxyz"}, "at most 20 bytes when several types run"},
	} {
		err := c.cfg.Check()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("group %q with %d types: %v, want %q", c.cfg.Group, len(c.cfg.Services), err, c.want)
		}
		if len(c.cfg.Services) == 1 && strings.Contains(err.Error(), "suffix") {
			t.Errorf("one type gets no suffix, yet: %v", err)
		}
	}
}

// CheckSettings judges everything but the daemon name, which an embedded
// run only knows after the check.
func TestConfigCheckSettingsIgnoresOnlyTheDaemon(t *testing.T) {
	if err := (flood.Config{}).CheckSettings(); err != nil {
		t.Errorf("CheckSettings of the zero config = %v, want nil (defaults fill the rest)", err)
	}
	var ce *flood.ConfigError
	if err := (flood.Config{Rate: math.NaN()}).CheckSettings(); !errors.As(err, &ce) {
		t.Errorf("CheckSettings(rate NaN) = %v, want a ConfigError", err)
	}
	if err := (flood.Config{}).Check(); !errors.As(err, &ce) {
		t.Errorf("Check without a daemon = %v, want a ConfigError", err)
	}
}

// A run whose context ends mid-flood is partial, not broken: messages still
// on their way are not lost, no promise is judged broken, and its verdict
// says it was interrupted. The cancel comes from the first progress report
// with deliveries, so the flood is certainly under way.
func TestInterruptedRunIsPartialNotBroken(t *testing.T) {
	d := spreadtest.Run(t)
	for _, svc := range []spread.ServiceType{spread.ReliableMess, spread.AgreedMess} {
		ctx, cancel := context.WithCancel(context.Background())
		res, err := flood.Run(ctx, flood.Config{Daemon: d.SpreadName(), Count: 1 << 30, Size: 100, Receivers: 2,
			Services: []spread.ServiceType{svc}, Progress: func(p flood.Progress) {
				if p.Delivered > 0 {
					cancel()
				}
			}})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: err = %v, want context.Canceled", flood.ServiceName(svc), err)
		}
		if res == nil || len(res.Services) != 1 {
			t.Fatalf("%s: want one partial result, got %+v", flood.ServiceName(svc), res)
		}
		s := res.Services[0]
		if !s.Partial || s.Verdict != flood.VerdictInterrupted || s.Judge() != flood.VerdictInterrupted {
			t.Errorf("%s: partial=%v verdict %q, want partial and \"interrupted\"", s.Service, s.Partial, s.Verdict)
		}
		if s.Sent == 0 || s.Delivered == 0 || s.Delivered > 2*s.Sent {
			t.Errorf("%s: sent %d delivered %d: want the figures up to the interrupt", s.Service, s.Sent, s.Delivered)
		}
		if s.Lost != 0 || s.TotalOrderDisagree != 0 || len(s.Violations) != 0 || len(s.Warnings) != 0 {
			t.Errorf("%s: lost %d disagree %d violations %q warnings %q: an interrupt breaks no promise",
				s.Service, s.Lost, s.TotalOrderDisagree, s.Violations, s.Warnings)
		}
	}
}

// A paced sender stopped by an interrupt ends quietly: closing its session
// is the flood's own doing, not a warning (the senders sleep between
// messages here, so the interrupt finds them pacing).
func TestInterruptedPacedRunHasNoWarnings(t *testing.T) {
	d := spreadtest.Run(t)
	for round := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		res, err := flood.Run(ctx, flood.Config{Daemon: d.SpreadName(), Count: 1 << 30, Size: 100, Senders: 2, Rate: 4000,
			Services: []spread.ServiceType{spread.AgreedMess}, Progress: func(p flood.Progress) {
				if p.Sent > 50 {
					cancel()
				}
			}})
		cancel()
		if !errors.Is(err, context.Canceled) || res == nil || len(res.Services) != 1 {
			t.Fatalf("round %d: err %v, results %+v", round, err, res)
		}
		if s := res.Services[0]; s.Verdict != flood.VerdictInterrupted || len(s.Warnings) != 0 {
			t.Errorf("round %d: verdict %q, warnings %q", round, s.Verdict, s.Warnings)
		}
	}
}

// violations and warnings are arrays in JSON even when empty, so scripts
// can iterate over them without a null check.
func TestJSONAlwaysHasViolationsAndWarnings(t *testing.T) {
	res := run(t, flood.Config{Count: 100, Size: 100, Services: flood.AllServices[2:3]})
	b, err := json.Marshal(res.Services[0])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"violations":[]`) || !strings.Contains(string(b), `"warnings":[]`) ||
		!strings.Contains(string(b), `"verdict":"ok"`) {
		t.Errorf("want empty violations and warnings arrays and verdict ok: %s", b)
	}
}

// Across a ring: senders on d1, receivers on d3; every message crosses.
func TestAcrossRing(t *testing.T) {
	r := spreadtest.Ring(t, 3)
	n := r.Nodes()
	res, err := flood.Run(context.Background(), flood.Config{Daemon: n[0].SpreadName(), ReceiverDaemons: []string{n[2].SpreadName()},
		Count: 2000, Size: 100, Senders: 1, Receivers: 2, Services: flood.AllServices[3:5]})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Services {
		if s.Delivered != 4000 || s.Lost != 0 || s.TotalOrderDisagree != 0 {
			t.Errorf("%s: delivered %d lost %d disagree %d", s.Service, s.Delivered, s.Lost, s.TotalOrderDisagree)
		}
	}
	// Each service type connects its own sessions: one sender, two receivers.
	if c1, c3 := n[0].Stats().Connects, n[2].Stats().Connects; c1 != 2 || c3 != 4 {
		t.Fatalf("sessions on d1 %d, on d3 %d; want the sender on d1, the receivers on d3", c1, c3)
	}
}
