package spread_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon/spreadtest"
	"github.com/spgo/spgo/pkg/spread"
)

// Ring tests run against spreadtest.RingDaemons: an in-process ring, or
// the real ring SPGO_TEST_RING lists (in configuration order). Tests that
// inject faults skip against a real ring, saying so.

// onEach connects one member to each daemon and joins them to a new group
// in daemon order; it returns them, the group and the id of the view all
// of them are in.
func onEach(t *testing.T, rt *spreadtest.RingTarget) ([]*spread.Mailbox, string, spread.GroupID) {
	t.Helper()
	var mbs []*spread.Mailbox
	for _, d := range rt.Daemons {
		mbs = append(mbs, connect(t, d))
	}
	g := uniq("ring")
	var id spread.GroupID
	for i, mb := range mbs {
		if err := mb.Join(g); err != nil {
			t.Fatal(err)
		}
		for _, seen := range mbs[:i+1] {
			id = recvMemb(t, seen, spread.CauseJoin, g).GroupID
		}
	}
	return mbs, g, id
}

func privateGroups(mbs []*spread.Mailbox) []string {
	var out []string
	for _, mb := range mbs {
		out = append(out, mb.PrivateGroup())
	}
	return out
}

// TestRingIntegrationMembersInDaemonOrder: joined in reverse daemon order,
// every member on every daemon sees the same views, members listed by
// daemon, one vs set holding the joiner.
func TestRingIntegrationMembersInDaemonOrder(t *testing.T) {
	rt := spreadtest.RingDaemons(t, 3)
	var mbs []*spread.Mailbox
	for _, d := range rt.Daemons {
		mbs = append(mbs, connect(t, d))
	}
	g := uniq("ord")
	var last *spread.MembershipMessage
	for i := len(mbs) - 1; i >= 0; i-- {
		if err := mbs[i].Join(g); err != nil {
			t.Fatal(err)
		}
		var ids []spread.GroupID
		for _, mb := range mbs[i:] {
			m := recvMemb(t, mb, spread.CauseJoin, g)
			if !slices.Equal(m.VSSets[0], []string{mbs[i].PrivateGroup()}) || len(m.VSSets) != 1 {
				t.Fatalf("vs sets %v, want the joiner", m.VSSets)
			}
			ids = append(ids, m.GroupID)
			last = m
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("group ids differ between daemons: %v", ids)
			}
		}
	}
	if want := privateGroups(mbs); !slices.Equal(last.Members, want) {
		t.Fatalf("members %v, want daemon order %v", last.Members, want)
	}
}

// TestRingIntegrationOneOrder: senders on every daemon, every service;
// every member delivers AGREED and SAFE messages in one order, and each
// sender's messages in its order.
func TestRingIntegrationOneOrder(t *testing.T) {
	rt := spreadtest.RingDaemons(t, 3)
	mbs, g, _ := onEach(t, rt)
	const per = 30
	svcs := []spread.ServiceType{spread.AgreedMess, spread.SafeMess}
	errs := make(chan error, len(mbs))
	for i, mb := range mbs {
		go func() {
			for j := range per {
				if err := mb.Multicast(svcs[j%2], g, []byte(fmt.Sprintf("%d/%d", i, j)), int16(j)); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range mbs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var orders [][]string
	for _, mb := range mbs {
		var got []string
		for range per * len(mbs) {
			got = append(got, string(recvData(t, mb).Data))
		}
		orders = append(orders, got)
	}
	for i := range orders {
		if !slices.Equal(orders[i], orders[0]) {
			t.Fatalf("member %d delivered another order:\n%v\n%v", i, orders[i], orders[0])
		}
	}
}

// TestRingIntegrationPrivateAcrossDaemons: a private group on another
// daemon is reachable.
func TestRingIntegrationPrivateAcrossDaemons(t *testing.T) {
	rt := spreadtest.RingDaemons(t, 3)
	a, c := connect(t, rt.Daemons[0]), connect(t, rt.Daemons[2])
	if err := a.Multicast(spread.ReliableMess, c.PrivateGroup(), []byte("psst"), 3); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, c); string(m.Data) != "psst" || m.Sender != a.PrivateGroup() || m.MsgType != 3 {
		t.Fatalf("got %+v", m)
	}
}

// networkView reads TRANSITION_MESS (with the old id) and then the
// CAUSED_BY_NETWORK view, and checks its members and vs sets.
func networkView(t *testing.T, mb *spread.Mailbox, g string, old spread.GroupID, members []string, sets [][]string) *spread.MembershipMessage {
	t.Helper()
	if old != (spread.GroupID{}) {
		if m := recvMemb(t, mb, spread.CauseTransition, g); m.GroupID != old {
			t.Fatalf("transition id %+v, want %+v", m.GroupID, old)
		}
	}
	m := recvMemb(t, mb, spread.CauseNetwork, g)
	if !slices.Equal(m.Members, members) || len(m.VSSets) != len(sets) || m.GroupID.Index != 1 || len(m.Changed) != 0 {
		t.Fatalf("%s: view %+v, want members %v vs sets %v", mb.PrivateGroup(), m, members, sets)
	}
	for i := range sets {
		if !slices.Equal(m.VSSets[i], sets[i]) {
			t.Fatalf("vs set %d = %v, want %v", i, m.VSSets[i], sets[i])
		}
	}
	if mine := m.VSSets[m.LocalVSSet]; !slices.Contains(mine, mb.PrivateGroup()) {
		t.Fatalf("%s: local vs set %v is not its own", mb.PrivateGroup(), mine)
	}
	return m
}

// TestRingIntegrationCrash: a daemon crashes: its member's connection
// ends, the others get TRANSITION_MESS and one vs set.
func TestRingIntegrationCrash(t *testing.T) {
	rt := spreadtest.RingDaemons(t, 3)
	ring := rt.Faults(t)
	mbs, g, old := onEach(t, rt)
	if err := ring.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := mbs[2].ReceiveContext(ctx); err == nil {
		t.Fatal("the crashed daemon's member still receives")
	}
	ab := privateGroups(mbs[:2])
	for _, mb := range mbs[:2] {
		networkView(t, mb, g, old, ab, [][]string{ab})
	}
}

// TestRingIntegrationPartitionMerge: a 2|1 partition (each side its own
// view, messages stay on their side), then the merge: no transitional
// signal, one vs set per side, the same id everywhere.
func TestRingIntegrationPartitionMerge(t *testing.T) {
	rt := spreadtest.RingDaemons(t, 3)
	ring := rt.Faults(t)
	mbs, g, old := onEach(t, rt)
	if err := ring.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
		t.Fatal(err)
	}
	ab, c := privateGroups(mbs[:2]), privateGroups(mbs[2:])
	for _, mb := range mbs[:2] {
		networkView(t, mb, g, old, ab, [][]string{ab})
	}
	networkView(t, mbs[2], g, old, c, [][]string{c})
	for i, mb := range []*spread.Mailbox{mbs[0], mbs[2]} {
		if err := mb.Multicast(spread.SafeMess, g, []byte(fmt.Sprint("side", i)), 0); err != nil {
			t.Fatal(err)
		}
	}
	for i, mb := range mbs {
		want := "side0"
		if i == 2 {
			want = "side1"
		}
		if m := recvData(t, mb); string(m.Data) != want {
			t.Fatalf("%s got %q across the partition", mb.PrivateGroup(), m.Data)
		}
	}
	if err := ring.Heal(); err != nil {
		t.Fatal(err)
	}
	var ids []spread.GroupID
	for _, mb := range mbs {
		ids = append(ids, networkView(t, mb, g, spread.GroupID{}, privateGroups(mbs), [][]string{ab, c}).GroupID)
	}
	if ids[0] != ids[1] || ids[0] != ids[2] {
		t.Fatalf("merge ids differ: %v", ids)
	}
}

// TestRingIntegrationRestart: a crashed daemon comes back; its new member
// joins the group as on any daemon, and the view continues from the last.
func TestRingIntegrationRestart(t *testing.T) {
	rt := spreadtest.RingDaemons(t, 3)
	ring := rt.Faults(t)
	mbs, g, old := onEach(t, rt)
	if err := ring.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	ab := privateGroups(mbs[:2])
	var view spread.GroupID
	for _, mb := range mbs[:2] {
		view = networkView(t, mb, g, old, ab, [][]string{ab}).GroupID
	}
	if err := ring.Restart("d3"); err != nil {
		t.Fatal(err)
	}
	d := connect(t, rt.Daemons[2])
	if err := d.Join(g); err != nil {
		t.Fatal(err)
	}
	for _, mb := range []*spread.Mailbox{mbs[0], mbs[1], d} {
		m := recvMemb(t, mb, spread.CauseJoin, g)
		if m.GroupID.Time != view.Time || m.GroupID.Index != view.Index+1 || !slices.Equal(m.Members, append(slices.Clone(ab), d.PrivateGroup())) {
			t.Fatalf("%s: join after restart %+v (view was %+v)", mb.PrivateGroup(), m, view)
		}
	}
}
