package flood_test

import (
	"context"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// With RTTEvery every receiver echoes each sender's every Nth message: the
// senders time exactly that many round trips, each receiver is credited
// with its own echoes, and the flood's figures are otherwise unchanged.
func TestRoundTripSamples(t *testing.T) {
	res := run(t, flood.Config{Count: 1000, Size: 100, Senders: 2, Receivers: 3, RTTEvery: 10,
		Services: []spread.ServiceType{spread.AgreedMess, spread.ReliableMess}})
	if res.RTTEvery != 10 {
		t.Errorf("results say rtt_every %d", res.RTTEvery)
	}
	for _, s := range res.Services {
		// 100 samples per sender (seq 0, 10, ..., 990), echoed by 3 receivers.
		if s.RTT == nil || s.RTT.Count != 2*100*3 {
			t.Fatalf("%s: rtt %+v, want 600 round trips", s.Service, s.RTT)
		}
		if s.RTT.P50 <= 0 || s.RTT.P50 > s.RTT.P99 || s.RTT.P99 > s.RTT.Max {
			t.Errorf("%s: rtt percentiles out of order: %+v", s.Service, s.RTT)
		}
		if s.Delivered != 2000*3 || len(s.Warnings) != 0 || s.Latency.Count != 6000 {
			t.Errorf("%s: delivered %d warnings %q one-way count %d", s.Service, s.Delivered, s.Warnings, s.Latency.Count)
		}
		var senders, receivers int64
		for _, c := range s.Clients {
			if c.RTT == nil {
				t.Fatalf("%s: client %s (%s) has no rtt", s.Service, c.Name, c.Role)
			}
			switch c.Role {
			case flood.RoleSender:
				senders += c.RTT.Count
				if c.RTT.Count != 300 {
					t.Errorf("%s: sender %s timed %d round trips, want 300", s.Service, c.Name, c.RTT.Count)
				}
			case flood.RoleReceiver:
				receivers += c.RTT.Count
				if c.RTT.Count != 200 {
					t.Errorf("%s: receiver %s echoed %d, want 200", s.Service, c.Name, c.RTT.Count)
				}
			}
		}
		if senders != 600 || receivers != 600 {
			t.Errorf("%s: senders timed %d, receivers echoed %d, want 600 each", s.Service, senders, receivers)
		}
	}
}

// Without RTTEvery nothing is echoed and no rtt is reported.
func TestNoRoundTripsByDefault(t *testing.T) {
	res := run(t, flood.Config{Count: 200, Services: []spread.ServiceType{spread.FIFOMess}})
	if s := res.Services[0]; s.RTT != nil {
		t.Fatalf("rtt %+v without RTTEvery", s.RTT)
	}
	for _, c := range res.Services[0].Clients {
		if c.RTT != nil {
			t.Fatalf("client %s has rtt %+v", c.Name, c.RTT)
		}
	}
}

// Across processes: read-only receivers echo, and the write-only sender
// elsewhere times the round trips on its own clock without being asked.
func TestRoundTripsBetweenReadOnlyAndWriteOnly(t *testing.T) {
	d := spreadtest.Run(t).SpreadName()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc := []spread.ServiceType{spread.FIFOMess}
	ro := make(chan error, 1)
	go func() {
		_, err := flood.Run(ctx, flood.Config{Daemon: d, Services: svc, Count: 2000, Mode: flood.ModeReadOnly, WaitMembers: 2, RTTEvery: 100})
		ro <- err
	}()
	wo, err := flood.Run(ctx, flood.Config{Daemon: d, Services: svc, Count: 2000, Mode: flood.ModeWriteOnly, WaitMembers: 2, Window: 100})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-ro; err != nil {
		t.Fatal(err)
	}
	// The write-only run ends when its own echoes are in; the receivers'
	// echoes of the last samples may still be on their way.
	s := wo.Services[0]
	if s.RTT == nil || s.RTT.Count == 0 || s.RTT.Count > 20 || s.RTT.P50 <= 0 {
		t.Fatalf("write-only rtt %+v, want up to 20 round trips", s.RTT)
	}
}

func TestRTTEveryNegativeRefused(t *testing.T) {
	err := flood.Config{Daemon: "4803", RTTEvery: -1}.Check()
	if err == nil {
		t.Fatal("RTTEvery -1 accepted")
	}
}

// Split over two processes without echoes: the receivers acknowledge, and
// the senders' window follows the slowest remote receiver's
// acknowledgements; the senders' run ends when every receiver has
// acknowledged every message.
func TestRemoteReceiversAcknowledge(t *testing.T) {
	d := spreadtest.Run(t).SpreadName()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc := []spread.ServiceType{spread.AgreedMess}
	ready := make(chan struct{})
	type out struct {
		res *flood.Results
		err error
	}
	ro := make(chan out, 1)
	go func() {
		r, err := flood.Run(ctx, flood.Config{Daemon: d, Services: svc, Count: 5000, Mode: flood.ModeReadOnly, Receivers: 2,
			RemoteSenders: 1, AckEvery: 25, Ready: func() { close(ready) }})
		ro <- out{r, err}
	}()
	<-ready
	wo, err := flood.Run(ctx, flood.Config{Daemon: d, Services: svc, Count: 5000, Mode: flood.ModeWriteAcked, RemoteReceivers: 2, Window: 100})
	if err != nil {
		t.Fatal(err)
	}
	s := wo.Services[0]
	if s.Sent != 5000 || len(s.Warnings) != 0 || s.Delivered != 0 {
		t.Fatalf("senders: %+v", s)
	}
	r := <-ro
	if r.err != nil {
		t.Fatal(r.err)
	}
	if rs := r.res.Services[0]; rs.Delivered != 10000 || rs.Lost != 0 || rs.TotalOrderDisagree != 0 || len(rs.Warnings) != 0 {
		t.Fatalf("receivers: %+v", rs)
	}
}
