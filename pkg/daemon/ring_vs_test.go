package daemon_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// recorder receives everything a member gets: views (any regular
// membership, by group id) and data, until its connection ends.
type recorder struct {
	mb     *spread.Mailbox
	mu     sync.Mutex
	events []string // "view <gid>" or the message's data
	data   atomic.Int64
	done   chan struct{}
	seen   chan struct{} // closed when "end" arrives
	// reached, when not nil, is closed once data reaches target (reach).
	reached chan struct{}
	target  int64
}

func record(t *testing.T, mb *spread.Mailbox) *recorder {
	r := &recorder{mb: mb, done: make(chan struct{}), seen: make(chan struct{})}
	go func() {
		defer close(r.done)
		for {
			m, err := mb.ReceiveContext(context.Background())
			if err != nil {
				return
			}
			r.mu.Lock()
			switch m := m.(type) {
			case *spread.MembershipMessage:
				if m.Cause != spread.CauseTransition && m.Cause != spread.CauseSelfLeave {
					r.events = append(r.events, fmt.Sprintf("view %v", m.GroupID))
				}
			case *spread.RegularMessage:
				r.events = append(r.events, string(m.Data))
				if r.data.Add(1) == r.target && r.reached != nil {
					close(r.reached)
					r.reached = nil
				}
				if string(m.Data) == "end" {
					close(r.seen)
				}
			}
			r.mu.Unlock()
		}
	}()
	return r
}

// reach returns a channel closed once the member has delivered n
// messages.
func (r *recorder) reach(n int64) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch := make(chan struct{})
	if r.data.Load() >= n {
		close(ch)
		return ch
	}
	r.reached, r.target = ch, n
	return ch
}

// epochs cuts a member's events into the messages delivered between two
// consecutive views, keyed by "view -> next view".
func (r *recorder) epochs() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]string{}
	cur, msgs := "", []string(nil)
	for _, e := range r.events {
		if len(e) > 5 && e[:5] == "view " {
			if cur != "" {
				out[cur+" -> "+e] = msgs
			}
			cur, msgs = e, nil
			continue
		}
		msgs = append(msgs, e)
	}
	return out
}

// TestRingVirtualSynchronyUnderFaults: senders on every node send without
// pause while the ring is partitioned, healed, crashed and restarted.
// Members that go from one view to the same next view deliver the same
// messages, in the same order, in between.
func TestRingVirtualSynchronyUnderFaults(t *testing.T) {
	r := startRing(t, 3)
	vsUnderFaults(t, r, 10, []func() error{
		func() error { return r.Partition([]string{"d1", "d2"}, []string{"d3"}) },
		r.Heal,
		func() error { return r.Partition([]string{"d1"}, []string{"d2", "d3"}) },
		func() error { return r.Partition([]string{"d1", "d3"}, []string{"d2"}) },
		r.Heal,
		func() error { return r.Crash("d2") },
		func() error { return r.Restart("d2") },
	})
}

// TestRingVirtualSynchronyUnderTimedFaults: the same with faults told
// late, some folding into a pending change, and a frozen node.
func TestRingVirtualSynchronyUnderTimedFaults(t *testing.T) {
	ms := time.Millisecond
	r := startTimedRing(t, 3, daemon.FaultTiming{Notice: 50 * ms, Merge: 30 * ms, Heal: 30 * ms, Fold: 20 * ms})
	// Each step's faults are told before the next step (the second fault
	// of a step folds into the first's change), so that every run goes
	// through the same views.
	told := func(faults ...func() error) func() error {
		return func() error {
			for _, f := range faults {
				if err := f(); err != nil {
					return err
				}
			}
			<-r.Settled()
			return nil
		}
	}
	vsUnderFaults(t, r, 10, []func() error{
		told(func() error { return r.Freeze("d3") }),
		told(func() error { return r.Thaw("d3") }),
		told(func() error { return r.Partition([]string{"d1"}, []string{"d2", "d3"}) }, r.Heal),
		told(func() error { return r.Partition([]string{"d1", "d3"}, []string{"d2"}) }),
		told(r.Heal),
		told(func() error { return r.Freeze("d2") }, func() error { return r.Crash("d2") }),
		told(func() error { return r.Restart("d2") }),
	})
}

// vsUnderFaults runs the steps amid traffic from senders on every node of
// r, with members m1, m1b on d1, m2 on d2 (which must go down for good in
// the steps) and m3 on d3, then compares what members delivered between
// the same two views, in at least minShared pairs of member and epoch.
func vsUnderFaults(t *testing.T, r *daemon.Ring, minShared int, steps []func() error) {
	n := r.Nodes()
	var recs []*recorder
	join := func(node int, name string) {
		mb := member(t, n[node], name, "g")
		recs = append(recs, record(t, mb))
	}
	join(0, "m1")
	join(1, "m2")
	join(2, "m3")
	join(0, "m1b")

	var stop atomic.Bool
	var wg sync.WaitGroup
	for k := range 3 {
		s := member(t, n[k], fmt.Sprint("s", k+1), "")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				if s.Multicast(spread.AgreedMess, "g", []byte(fmt.Sprintf("s%d-%d", k+1, i)), 0) != nil {
					return // its node crashed
				}
			}
		}()
	}
	// Each fault waits until m1 has delivered more messages: faults land
	// amid traffic.
	progress := func() {
		t.Helper()
		m1 := recs[0]
		want := m1.data.Load() + 300
		select {
		case <-m1.reach(want):
		case <-m1.done:
			if m1.data.Load() < want {
				t.Fatal("m1's connection ended")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no progress between faults")
		}
	}
	for i, f := range steps {
		progress()
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	join(1, "m2b")
	progress()
	stop.Store(true)
	wg.Wait()
	end := member(t, n[0], "end", "")
	if err := end.Multicast(spread.AgreedMess, "g", []byte("end"), 0); err != nil {
		t.Fatal(err)
	}
	live := []*recorder{recs[0], recs[2], recs[3], recs[4]} // m2 went down with d2
	for _, rc := range live {
		select {
		case <-rc.seen:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not get the end marker", rc.mb.PrivateGroup())
		}
	}
	// Compare every pair of members over the epochs both went through.
	compared := 0
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			ei, ej := recs[i].epochs(), recs[j].epochs()
			for key, mi := range ei {
				mj, ok := ej[key]
				if !ok {
					continue
				}
				compared++
				if !slices.Equal(mi, mj) {
					t.Fatalf("%s and %s went %s with different messages (%d and %d)",
						recs[i].mb.PrivateGroup(), recs[j].mb.PrivateGroup(), key, len(mi), len(mj))
				}
			}
		}
	}
	t.Logf("%d shared epochs compared", compared)
	if compared < minShared {
		t.Fatalf("only %d shared epochs compared", compared)
	}
}
