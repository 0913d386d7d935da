package agent

import (
	"context"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// A flood across agents may send for a duration: the plans carry it, each
// senders' agent says what it sent, the receivers are told the total and
// end when they have it, and nothing is lost. One agent sends only, the
// other sends and receives, so both ways of reporting are used.
func TestRunForADuration(t *testing.T) {
	server, a1, a2, c, found := twoAgents(t)
	team, err := Assign(found, Roles{SenderAgents: []int{1, 2}, ReceiverAgents: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Run(context.Background(), team, flood.Config{Daemon: server, Group: "g",
		Services: []spread.ServiceType{spread.AgreedMess, spread.FIFOMess}, Duration: 200 * time.Millisecond, Size: 100, Rate: 2000, Window: 40})
	if err != nil {
		t.Fatal(err)
	}
	if out.Results.Duration != 200*time.Millisecond || out.Results.Count != 0 {
		t.Errorf("header: duration %v count %d", out.Results.Duration, out.Results.Count)
	}
	for _, s := range out.Results.Services {
		if s.Sent < 100 || s.Delivered != s.Sent || s.Lost != 0 || s.Verdict != "ok" || s.Partial {
			t.Errorf("%s: sent %d delivered %d lost %d verdict %q partial %v", s.Service, s.Sent, s.Delivered, s.Lost, s.Verdict, s.Partial)
		}
		// A write-acked sender ends at the end of an acknowledgement block.
		for _, cl := range s.Clients {
			if cl.Role == flood.RoleSender && cl.Messages%10 != 0 {
				t.Errorf("%s: sender %s sent %d, not a whole number of blocks of 10", s.Service, cl.Name, cl.Messages)
			}
		}
	}
	for _, ra := range []*runningAgent{a1, a2} {
		if e := ra.await(t, EventRunStarted); e.Plan.Duration != 200*time.Millisecond || e.Plan.Count != 0 {
			t.Errorf("plan of %s: %+v", ra.name, e.Plan)
		}
	}
}

// Read-only receivers of a Duration run need to learn what was sent:
// without a way to, the plan is refused.
func TestDurationPlanForReceivers(t *testing.T) {
	p := &Plan{Service: "fifo", Group: "g", Duration: time.Second, Size: 100, Receivers: 1, RemoteSenders: 2, AckEvery: 5}
	parts, err := planFloods(p, "4803", nil, make(chan int64, 1))
	if err != nil {
		t.Fatal(err)
	}
	if parts[0].Mode != flood.ModeReadOnly || parts[0].RemoteSent == nil || parts[0].Duration != time.Second {
		t.Errorf("receivers' flood %+v", parts[0])
	}
	if _, err := planFloods(p, "4803", nil, nil); err == nil {
		t.Error("a read-only Duration plan with no way to learn the total was accepted")
	}
}
