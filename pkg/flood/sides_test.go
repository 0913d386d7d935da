package flood

import (
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// A synthetic flood split in two: sender 0 on d1 and receivers a1, a2 on
// side 1; sender 1 on d3 and receivers b1, b2 on side 2. Each sender sent
// 100 messages; the first 40 of each reached everyone in the old view.
const (
	sideSent = 100
	oldView  = 40
)

type sideFlood struct {
	f      *flood
	recvs  map[string]*receiver
	member map[string]string // receiver -> its private name
}

func newSideFlood(svc spread.ServiceType) *sideFlood {
	sf := &sideFlood{recvs: map[string]*receiver{}, member: map[string]string{}}
	f := &flood{cfg: Config{Mode: ModeLocal, Size: 100, Senders: 2, Receivers: 4}, svc: svc, group: "g", startTime: time.Unix(1, 0)}
	for i, d := range []string{"d1", "d3"} {
		s := &sender{name: "#s" + d + "#" + d, daemon: d, idx: uint32(i), side: i + 1}
		s.sent.Store(sideSent)
		f.senders = append(f.senders, s)
	}
	for _, name := range []string{"a1", "a2", "b1", "b2"} {
		side, d := 1, "d2"
		if name[0] == 'b' {
			side, d = 2, "d3"
		}
		r := &receiver{name: "#" + name + "#" + d, daemon: d, side: side, check: NewChecker(), hist: newHistogram(),
			progress: make([]atomic.Uint32, 2), oldNext: []uint32{oldView, oldView},
			views: []viewEvent{{at: time.Unix(2, 0).UnixNano(), kind: FaultNetwork, id: spread.GroupID{ProcID: 1, Time: int32(side)}}}}
		f.receivers = append(f.receivers, r)
		sf.recvs[name] = r
	}
	f.sideMembers = [][]string{{"#a1#d2", "#a2#d2"}, {"#b1#d3", "#b2#d3"}}
	sf.f = f
	return sf
}

// deliver has receiver name deliver sender idx's messages from..to-1,
// skipping those in skip.
func (sf *sideFlood) deliver(name string, idx uint32, from, to uint32, skip ...uint32) {
	r := sf.recvs[name]
	for seq := from; seq < to; seq++ {
		if !slices.Contains(skip, seq) {
			r.check.Observe(idx, seq)
			r.count.Add(1)
		}
	}
}

// everyone delivers the old view's messages of both senders, then its own
// side's sender's rest.
func (sf *sideFlood) everyone(except ...string) {
	for name := range sf.recvs {
		if slices.Contains(except, name) {
			continue
		}
		own := uint32(0)
		if name[0] == 'b' {
			own = 1
		}
		sf.deliver(name, 0, 0, oldView)
		sf.deliver(name, 1, 0, oldView)
		sf.deliver(name, own, oldView, sideSent)
	}
}

func (sf *sideFlood) result(t *testing.T) *ServiceResult {
	t.Helper()
	sr := sf.f.collect(false, nil)
	if len(sr.Sides) != 2 {
		t.Fatalf("sides %+v, want 2", sr.Sides)
	}
	return sr
}

// Each side got its own sender's messages and the old view's: both sides
// and the run hold, with the sides' figures and sessions.
func TestSidesKept(t *testing.T) {
	sf := newSideFlood(spread.AgreedMess)
	sf.everyone()
	sr := sf.result(t)
	if sr.Verdict != VerdictFaultKept || len(sr.Violations) != 0 || sr.Lost != 0 {
		t.Fatalf("verdict %q violations %q lost %d", sr.Verdict, sr.Violations, sr.Lost)
	}
	for k, sd := range sr.Sides {
		if sd.Verdict != VerdictFaultKept || sd.Sent != sideSent || sd.Delivered != 2*(sideSent+oldView) || len(sd.Senders) != 1 || len(sd.Receivers) != 2 {
			t.Errorf("side %d: %+v", k+1, sd)
		}
		if len(sd.Memberships) != 1 || sd.Memberships[0].SeenBy != 2 {
			t.Errorf("side %d memberships %+v, want one seen by its 2 receivers", k+1, sd.Memberships)
		}
	}
	if d := sr.Sides[1].Daemons; !slices.Equal(d, []string{"d3"}) {
		t.Errorf("side 2 daemons %q", d)
	}
}

// A receiver of side 2 lost one of its own sender's messages: side 2
// breaks, side 1 holds, and the run's violation names side 2.
func TestSideLossFailsThatSideOnly(t *testing.T) {
	sf := newSideFlood(spread.AgreedMess)
	sf.everyone("b2")
	sf.deliver("b2", 0, 0, oldView)
	sf.deliver("b2", 1, 0, sideSent, 70)
	sr := sf.result(t)
	a, b := sr.Sides[0], sr.Sides[1]
	if a.Verdict != VerdictFaultKept || len(a.Violations) != 0 || a.Lost != 0 {
		t.Errorf("side 1: %+v", a)
	}
	if b.Verdict != VerdictBroken || b.Lost != 1 || len(b.Violations) != 1 {
		t.Errorf("side 2: %+v", b)
	}
	if sr.Verdict != VerdictBroken || len(sr.Violations) != 1 || !strings.HasPrefix(sr.Violations[0], "side 2: AGREED lost 1 messages") {
		t.Errorf("verdict %q violations %q", sr.Verdict, sr.Violations)
	}
}

// The receivers of side 2 disagree on what they got of side 1's sender
// in the old view: one lacks a message the other got, which is loss on
// side 2 (they moved together), none on side 1.
func TestSideAgreesOnTheOtherSidesSender(t *testing.T) {
	sf := newSideFlood(spread.FIFOMess)
	sf.everyone("b2")
	sf.deliver("b2", 0, 0, oldView-1)
	sf.deliver("b2", 1, 0, sideSent)
	sr := sf.result(t)
	if sr.Sides[0].Lost != 0 || sr.Sides[1].Lost != 1 || sr.Sides[1].Verdict != VerdictBroken {
		t.Fatalf("sides %+v", sr.Sides)
	}
}

// Side 2's receivers both lack the old view's last message of side 1's
// sender, which side 1 delivered before its transitional membership:
// SAFE promised it to every member of the old view; AGREED did not.
func TestSideSafeOldView(t *testing.T) {
	for _, svc := range []spread.ServiceType{spread.SafeMess, spread.AgreedMess} {
		sf := newSideFlood(svc)
		sf.everyone("b1", "b2")
		for _, name := range []string{"b1", "b2"} {
			sf.deliver(name, 0, 0, oldView-1)
			sf.deliver(name, 1, 0, sideSent)
			sf.recvs[name].oldNext = []uint32{oldView - 1, oldView}
		}
		sr := sf.result(t)
		want := int64(0)
		if svc == spread.SafeMess {
			want = 2
		}
		if sr.Sides[0].Lost != 0 || sr.Sides[1].Lost != want {
			t.Errorf("%s: lost %d on side 1, %d on side 2; want 0 and %d", ServiceName(svc), sr.Sides[0].Lost, sr.Sides[1].Lost, want)
		}
	}
}

// Each side delivers its own order: sides that differ from each other are
// no disagreement, receivers of one side that differ are.
func TestSideTotalOrder(t *testing.T) {
	sf := newSideFlood(spread.AgreedMess)
	sf.everyone("b2")
	sf.deliver("b2", 1, 0, oldView) // the old view in another order
	sf.deliver("b2", 0, 0, oldView)
	sf.deliver("b2", 1, oldView, sideSent)
	sr := sf.result(t)
	if sr.Sides[0].TotalOrderDisagree != 0 || sr.Sides[1].TotalOrderDisagree != 1 || sr.TotalOrderDisagree != 1 || sr.Sides[1].Verdict != VerdictBroken {
		t.Fatalf("disagree %d, sides %+v", sr.TotalOrderDisagree, sr.Sides)
	}
}

// markSides groups the live receivers by their last network membership,
// puts a sender on its daemon's side (or its lead's), and leaves a side
// without a sender apart.
func TestMarkSides(t *testing.T) {
	view := func(names ...string) *map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return &m
	}
	recv := func(name string, v *map[string]bool, progress ...uint32) *receiver {
		r := &receiver{name: name, progress: make([]atomic.Uint32, len(progress))}
		for i, p := range progress {
			r.progress[i].Store(p)
		}
		r.view.Store(v)
		return r
	}
	sideA, sideB, sideC := view("#a#d2"), view("#b#d3"), view("#c#d4")
	f := &flood{}
	f.viewSeen.Store(true)
	f.receivers = []*receiver{recv("#b#d3", sideB, 50, 90), recv("#a#d2", sideA, 80, 50), recv("#c#d4", sideC, 50, 50)}
	for i, d := range []string{"d1", "d3"} { // d1 has no member: its lead (a, furthest ahead) tells
		s := &sender{name: "#s#" + d, idx: uint32(i), viewSeen: &f.viewSeen}
		s.sources = f.receivers
		f.senders = append(f.senders, s)
	}
	f.markSides()
	b, a, c := f.receivers[0], f.receivers[1], f.receivers[2]
	if b.side != 1 || a.side != 2 || c.side != 0 || !c.apart || a.apart || b.apart {
		t.Errorf("receivers: b side %d apart %v, a side %d apart %v, c side %d apart %v", b.side, b.apart, a.side, a.apart, c.side, c.apart)
	}
	if f.senders[0].side != 2 || f.senders[1].side != 1 {
		t.Errorf("senders on d1 and d3: sides %d and %d, want 2 and 1", f.senders[0].side, f.senders[1].side)
	}
	if len(f.sideMembers) != 2 || f.sideMembers[0][0] != "#b#d3" {
		t.Errorf("side members %q", f.sideMembers)
	}
}
