package flood_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// ship sends r through JSON and its Shipment, as an agent's result travels.
func ship(t *testing.T, r flood.ServiceResult) *flood.ServiceResult {
	t.Helper()
	sh, err := r.Ship()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		R  flood.ServiceResult
		Sh flood.Shipment
	}{r, sh})
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		R  flood.ServiceResult
		Sh flood.Shipment
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.R.Unship(back.Sh); err != nil {
		t.Fatal(err)
	}
	return &back.R
}

// Parts merge exactly: the histogram is the sum of the parts' (not an
// average of percentiles), counts add up, and the total order is compared
// across the parts' receivers.
func TestMergeIsExact(t *testing.T) {
	svc := []spread.ServiceType{spread.AgreedMess}
	a := run(t, flood.Config{Count: 1000, Size: 100, Receivers: 2, Services: svc}).Services[0]
	b := run(t, flood.Config{Count: 500, Size: 100, Senders: 2, Receivers: 1, Services: svc}).Services[0]
	pa, pb := ship(t, a), ship(t, b)
	if got, want := pa.Histogram().TotalCount(), a.Histogram().TotalCount(); got != want || pa.Histogram().Max() != a.Histogram().Max() {
		t.Fatalf("histogram after shipping: %d values (max %d), want %d (max %d)", got, pa.Histogram().Max(), want, a.Histogram().Max())
	}
	m := flood.Merge(spread.AgreedMess, 100, []*flood.ServiceResult{pa, pb})
	h := a.Histogram()
	h.Merge(b.Histogram())
	if m.Latency.Count != 3000 || m.Delivered != 3000 || m.Sent != 2000 ||
		m.Latency.P99 != summary(h).P99 || m.Latency.Max != summary(h).Max {
		t.Fatalf("merged %+v, latency %+v", m, m.Latency)
	}
	// Two separate floods (one sender, two) delivered different sequences: merged, their
	// receivers disagree on the total order.
	if m.TotalOrderDisagree == 0 || m.Verdict != flood.VerdictBroken {
		t.Errorf("receivers of two floods merged: disagree %d verdict %q", m.TotalOrderDisagree, m.Verdict)
	}
	// One flood's receivers alone agree.
	if m := flood.Merge(spread.AgreedMess, 100, []*flood.ServiceResult{pa}); m.TotalOrderDisagree != 0 || m.Verdict != flood.VerdictOK {
		t.Errorf("one flood: disagree %d verdict %q", m.TotalOrderDisagree, m.Verdict)
	}
}

func summary(h interface {
	TotalCount() int64
	ValueAtQuantile(float64) int64
	Max() int64
}) flood.Latency {
	return flood.Latency{Count: h.TotalCount(), P99: timeNS(h.ValueAtQuantile(99)), Max: timeNS(h.Max())}
}

func timeNS(v int64) time.Duration { return time.Duration(v) }

// A receiver lost to a fault stopped early: the merged per-receiver rate is
// the survivors' (their deliveries over the run, per survivor), as a local
// result's is, not lowered by what the departed receiver got.
func TestMergeRateIsTheSurvivors(t *testing.T) {
	part := func(c flood.Client) *flood.ServiceResult {
		if c.Role != flood.RoleSender {
			c.Check = &flood.Check{}
		}
		return &flood.ServiceResult{Group: "g", Clients: []flood.Client{c}}
	}
	m := flood.Merge(spread.AgreedMess, 100, []*flood.ServiceResult{
		part(flood.Client{Role: flood.RoleSender, Messages: 1000}),
		part(flood.Client{Role: flood.RoleReceiver, Messages: 1000, Elapsed: 2 * time.Second}),
		part(flood.Client{Role: flood.RoleReceiver, Messages: 1000, Elapsed: 2 * time.Second}),
		part(flood.Client{Role: flood.RoleReceiver, Messages: 100, Elapsed: time.Second, Departed: true, Error: "lost its daemon"}),
	})
	if m.Delivered != 2100 || m.Elapsed != 2*time.Second || m.DeliveryRate != 1050 {
		t.Fatalf("delivered %d in %s (%g/s), want 2100 in 2s", m.Delivered, m.Elapsed, m.DeliveryRate)
	}
	if m.MsgRate != 500 || m.MBRate != 0.05 {
		t.Errorf("merged rate %g msg/s (%g MB/s), want the survivors' 500 (0.05)", m.MsgRate, m.MBRate)
	}
}
