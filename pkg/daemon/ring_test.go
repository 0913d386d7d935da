package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// startRing starts a ring of n nodes with sockets in a temporary directory.
func startRing(t *testing.T, n int) *daemon.Ring {
	t.Helper()
	dir, err := os.MkdirTemp("", "spgoring")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: n, Node: daemon.Config{SocketDir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// member connects as name to node and joins group, reading its own join.
func member(t *testing.T, node *daemon.Daemon, name, group string) *spread.Mailbox {
	t.Helper()
	mb, err := spread.Connect(node.SpreadName(), spread.WithName(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Disconnect() })
	if group != "" {
		if err := mb.Join(group); err != nil {
			t.Fatal(err)
		}
		m := recvMemb(t, mb)
		if m.Cause != spread.CauseJoin || !slices.Contains(m.Changed, mb.PrivateGroup()) {
			t.Fatalf("%s: want own join, got %+v", name, m)
		}
	}
	return mb
}

func recv(t *testing.T, mb *spread.Mailbox) spread.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := mb.ReceiveContext(ctx)
	if err != nil {
		t.Fatalf("%s: receive: %v", mb.PrivateGroup(), err)
	}
	return m
}

func recvMemb(t *testing.T, mb *spread.Mailbox) *spread.MembershipMessage {
	t.Helper()
	m, ok := recv(t, mb).(*spread.MembershipMessage)
	if !ok {
		t.Fatalf("%s: want a membership message, got %#v", mb.PrivateGroup(), m)
	}
	return m
}

func recvData(t *testing.T, mb *spread.Mailbox) *spread.RegularMessage {
	t.Helper()
	m, ok := recv(t, mb).(*spread.RegularMessage)
	if !ok {
		t.Fatalf("%s: want a data message, got %#v", mb.PrivateGroup(), m)
	}
	return m
}

// wantView checks a CAUSED_BY_NETWORK view.
func wantView(t *testing.T, m *spread.MembershipMessage, members []string, sets [][]string, local int, proc int32) {
	t.Helper()
	if m.Cause != spread.CauseNetwork || !slices.Equal(m.Members, members) || len(m.VSSets) != len(sets) ||
		m.LocalVSSet != local || m.GroupID.ProcID != proc || m.GroupID.Index != 1 {
		t.Fatalf("want network view members %v vs sets %v local %d proc %x index 1, got %+v", members, sets, local, proc, m)
	}
	for i := range sets {
		if !slices.Equal(m.VSSets[i], sets[i]) {
			t.Fatalf("vs set %d: want %v, got %v", i, sets[i], m.VSSets[i])
		}
	}
}

func wantTransition(t *testing.T, m *spread.MembershipMessage, old spread.GroupID) {
	t.Helper()
	if m.Cause != spread.CauseTransition || m.GroupID != old {
		t.Fatalf("want TRANSITION_MESS with the old id %+v, got %+v", old, m)
	}
}

const (
	proc1 int32 = 0x7f000001
	proc3 int32 = 0x7f000003
)

// three puts a@d1, b@d2, c@d3 in group g and returns them and the view id.
func three(t *testing.T, r *daemon.Ring) (a, b, c *spread.Mailbox, gid spread.GroupID) {
	t.Helper()
	n := r.Nodes()
	a = member(t, n[0], "a", "g")
	b = member(t, n[1], "b", "g")
	recvMemb(t, a)
	c = member(t, n[2], "c", "g")
	recvMemb(t, a)
	m := recvMemb(t, b)
	want := []string{"#a#d1", "#b#d2", "#c#d3"}
	if !slices.Equal(m.Members, want) || m.GroupID.ProcID != proc1 || m.GroupID.Index != 3 {
		t.Fatalf("view after three joins: %+v", m)
	}
	return a, b, c, m.GroupID
}

// TestRingNodes: every node is a daemon of its own (name, address,
// private groups), groups span nodes with members in node order.
func TestRingNodes(t *testing.T) {
	r := startRing(t, 3)
	n := r.Nodes()
	for k, d := range n {
		want := fmt.Sprintf("@127.0.0.%d", k+1)
		if r.PortPerNode() {
			want = "@127.0.0.1"
		}
		if d.Name() != "d"+strconv.Itoa(k+1) || !hasSuffix(d.SpreadName(), want) {
			t.Fatalf("node %d: name %q address %q", k+1, d.Name(), d.SpreadName())
		}
	}
	// Joined in reverse node order: the view still lists d1's member first.
	c := member(t, n[2], "c", "g")
	a := member(t, n[0], "zed", "g")
	m := recvMemb(t, c)
	if !slices.Equal(m.Members, []string{"#zed#d1", "#c#d3"}) {
		t.Fatalf("members %v, want d1's first", m.Members)
	}
	if got := n[1].Members("g"); !slices.Equal(got, m.Members) {
		t.Fatalf("d2 knows members %v", got)
	}
	if a.PrivateGroup() != "#zed#d1" {
		t.Fatalf("private group %q", a.PrivateGroup())
	}
	// Private names are per daemon: "zed" may connect to d2 as well.
	member(t, n[1], "zed", "")
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

// TestRingOneOrder: messages of every service from members on all nodes
// reach every member in one order.
func TestRingOneOrder(t *testing.T) {
	r := startRing(t, 3)
	a, b, c, _ := three(t, r)
	mbs := []*spread.Mailbox{a, b, c}
	const per = 50
	done := make(chan error, 3)
	for i, mb := range mbs {
		go func() {
			for j := range per {
				svc := []spread.ServiceType{spread.ReliableMess, spread.FIFOMess, spread.CausalMess, spread.AgreedMess, spread.SafeMess}[j%5]
				if err := mb.Multicast(svc, "g", []byte(fmt.Sprintf("%d-%d", i, j)), 0); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range mbs {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	var seqs [3][]string
	for i, mb := range mbs {
		for range 3 * per {
			seqs[i] = append(seqs[i], string(recvData(t, mb).Data))
		}
	}
	if !slices.Equal(seqs[0], seqs[1]) || !slices.Equal(seqs[0], seqs[2]) {
		t.Fatalf("orders differ:\n%v\n%v\n%v", seqs[0], seqs[1], seqs[2])
	}
}

// TestRingPrivateAcrossNodes: #c#d3 is reachable from d1 while they are
// connected, not across a partition.
func TestRingPrivateAcrossNodes(t *testing.T) {
	r := startRing(t, 3)
	n := r.Nodes()
	a := member(t, n[0], "a", "")
	c := member(t, n[2], "c", "")
	if err := a.Multicast(spread.AgreedMess, "#c#d3", []byte("hi"), 0); err != nil {
		t.Fatal(err)
	}
	if m := recvData(t, c); string(m.Data) != "hi" || m.Sender != "#a#d1" {
		t.Fatalf("got %+v", m)
	}
	if err := r.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
		t.Fatal(err)
	}
	a.Multicast(spread.AgreedMess, "#c#d3", []byte("lost"), 0)
	a.Multicast(spread.AgreedMess, "#a#d1", []byte("mine"), 0)
	if m := recvData(t, a); string(m.Data) != "mine" {
		t.Fatalf("got %q", m.Data)
	}
	c.Multicast(spread.AgreedMess, "#c#d3", []byte("self"), 0)
	if m := recvData(t, c); string(m.Data) != "self" {
		t.Fatalf("c got %q across the partition", m.Data)
	}
}

// TestRingCrash: the crashed node's clients are cut; the others get the
// transitional signal and then the view without them, one vs set.
func TestRingCrash(t *testing.T) {
	r := startRing(t, 3)
	a, b, c, gid := three(t, r)
	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if m, err := c.ReceiveContext(ctx); err == nil {
		t.Fatalf("d3's client still receives: %+v", m)
	}
	ab := []string{"#a#d1", "#b#d2"}
	for i, mb := range []*spread.Mailbox{a, b} {
		wantTransition(t, recvMemb(t, mb), gid)
		v := recvMemb(t, mb)
		wantView(t, v, ab, [][]string{ab}, 0, proc1)
		if v.GroupID.Time <= gid.Time {
			t.Fatalf("member %d: new view time %d not after %d", i, v.GroupID.Time, gid.Time)
		}
	}
	if _, err := spread.Connect(r.Node("d3").SpreadName(), spread.WithName("x")); err == nil {
		t.Fatal("crashed node accepts connections")
	}
	comps, down := r.Layout()
	if len(comps) != 1 || !slices.Equal(comps[0], []string{"d1", "d2"}) || !slices.Equal(down, []string{"d3"}) {
		t.Fatalf("layout %v down %v", comps, down)
	}
}

// TestRingPartitionHeal: a 2|1 partition, messages stay on their side,
// then the merge view with one vs set per side and no transitional signal.
func TestRingPartitionHeal(t *testing.T) {
	r := startRing(t, 3)
	a, b, c, gid := three(t, r)
	if err := r.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
		t.Fatal(err)
	}
	ab, cc := []string{"#a#d1", "#b#d2"}, []string{"#c#d3"}
	var idAB spread.GroupID
	for _, mb := range []*spread.Mailbox{a, b} {
		wantTransition(t, recvMemb(t, mb), gid)
		v := recvMemb(t, mb)
		wantView(t, v, ab, [][]string{ab}, 0, proc1)
		idAB = v.GroupID
	}
	wantTransition(t, recvMemb(t, c), gid)
	vc := recvMemb(t, c)
	wantView(t, vc, cc, [][]string{cc}, 0, proc3)

	a.Multicast(spread.SafeMess, "g", []byte("from-a"), 0)
	c.Multicast(spread.SafeMess, "g", []byte("from-c"), 0)
	for _, mb := range []*spread.Mailbox{a, b} {
		if m := recvData(t, mb); string(m.Data) != "from-a" {
			t.Fatalf("%s got %q", mb.PrivateGroup(), m.Data)
		}
	}
	if m := recvData(t, c); string(m.Data) != "from-c" {
		t.Fatalf("c got %q", m.Data)
	}

	if err := r.Heal(); err != nil {
		t.Fatal(err)
	}
	all := []string{"#a#d1", "#b#d2", "#c#d3"}
	var merged []spread.GroupID
	for i, mb := range []*spread.Mailbox{a, b, c} {
		v := recvMemb(t, mb) // no TRANSITION_MESS: nobody was lost
		local := 0
		if i == 2 {
			local = 1
		}
		wantView(t, v, all, [][]string{ab, cc}, local, proc1)
		merged = append(merged, v.GroupID)
	}
	if merged[0] != merged[1] || merged[0] != merged[2] || merged[0].Time <= idAB.Time || merged[0].Time <= vc.GroupID.Time {
		t.Fatalf("merge ids %v after %v and %v", merged, idAB, vc.GroupID)
	}
	// Together again: one order for all.
	c.Multicast(spread.AgreedMess, "g", []byte("again"), 0)
	for _, mb := range []*spread.Mailbox{a, b, c} {
		if m := recvData(t, mb); string(m.Data) != "again" {
			t.Fatalf("got %q", m.Data)
		}
	}
}

// TestRingPartitionChangesSides: from 2|1 to 1|2 in one step, the node
// that moves brings its side's members; the new side gets one vs set per
// origin.
func TestRingPartitionChangesSides(t *testing.T) {
	r := startRing(t, 3)
	a, b, c, _ := three(t, r)
	r.Partition([]string{"d1", "d2"}, []string{"d3"})
	for _, mb := range []*spread.Mailbox{a, b, c} {
		recvMemb(t, mb)
		recvMemb(t, mb)
	}
	if err := r.Partition([]string{"d1"}, []string{"d2", "d3"}); err != nil {
		t.Fatal(err)
	}
	wantTransition(t, recvMemb(t, a), recvMemb(t, b).GroupID) // both saw the {a,b} view last
	wantView(t, recvMemb(t, a), []string{"#a#d1"}, [][]string{{"#a#d1"}}, 0, proc1)
	// b lost a (transitional), then met c: sets ordered by membership id.
	vb := recvMemb(t, b)
	wantView(t, vb, []string{"#b#d2", "#c#d3"}, [][]string{{"#b#d2"}, {"#c#d3"}}, 0, 0x7f000002)
	vc := recvMemb(t, c)
	wantView(t, vc, []string{"#b#d2", "#c#d3"}, [][]string{{"#b#d2"}, {"#c#d3"}}, 1, 0x7f000002)
}

// TestRingRestart: a restarted node rejoins with no groups; nobody sees a
// change until its clients join.
func TestRingRestart(t *testing.T) {
	r := startRing(t, 3)
	a, b, _, _ := three(t, r)
	if err := r.Crash("d3"); err != nil {
		t.Fatal(err)
	}
	var view spread.GroupID
	for _, mb := range []*spread.Mailbox{a, b} {
		recvMemb(t, mb)
		view = recvMemb(t, mb).GroupID
	}
	if err := r.Restart("d3"); err != nil {
		t.Fatal(err)
	}
	c2 := member(t, r.Node("d3"), "c", "g") // the name is free again
	m := recvMemb(t, a)
	if m.Cause != spread.CauseJoin || m.GroupID.ProcID != view.ProcID || m.GroupID.Time != view.Time ||
		m.GroupID.Index != 2 || !slices.Equal(m.Members, []string{"#a#d1", "#b#d2", "#c#d3"}) {
		t.Fatalf("join after restart: %+v (view was %+v)", m, view)
	}
	recvMemb(t, b)
	c2.Multicast(spread.AgreedMess, "g", []byte("back"), 0)
	if m := recvData(t, a); string(m.Data) != "back" {
		t.Fatalf("got %q", m.Data)
	}
}

// TestRingVirtualSynchrony: a sender on d1 keeps sending while d3
// crashes; a and b deliver the same messages before the new view, and
// every message exactly once.
func TestRingVirtualSynchrony(t *testing.T) {
	r := startRing(t, 3)
	a, b, _, _ := three(t, r)
	s := member(t, r.Node("d1"), "s", "")
	const total = 2000
	sent := make(chan error, 1)
	go func() {
		for i := range total {
			if err := s.Multicast(spread.AgreedMess, "g", []byte(strconv.Itoa(i)), 0); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	var got [2][]string
	for range total / 2 {
		got[0] = append(got[0], string(recvData(t, a).Data))
	}
	if err := r.Crash("d3"); err != nil { // messages still in flight
		t.Fatal(err)
	}
	var before [2]int
	for i, mb := range []*spread.Mailbox{a, b} {
		for {
			m := recv(t, mb)
			if mm, ok := m.(*spread.MembershipMessage); ok {
				if mm.Cause != spread.CauseTransition {
					t.Fatalf("want TRANSITION_MESS first, got %+v", mm)
				}
				break
			}
			got[i] = append(got[i], string(m.(*spread.RegularMessage).Data))
		}
		before[i] = len(got[i])
		if v := recvMemb(t, mb); v.Cause != spread.CauseNetwork {
			t.Fatalf("got %+v", v)
		}
		for len(got[i]) < total {
			got[i] = append(got[i], string(recvData(t, mb).Data))
		}
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	if before[0] != before[1] || !slices.Equal(got[0], got[1]) {
		t.Fatalf("a delivered %d before the view, b %d (or the messages differ)", before[0], before[1])
	}
	for i, m := range got[0] {
		if m != strconv.Itoa(i) {
			t.Fatalf("message %d is %q", i, m)
		}
	}
}

// TestRingFaultErrors: bad faults are refused with a reason and change
// nothing.
func TestRingFaultErrors(t *testing.T) {
	r := startRing(t, 3)
	a := member(t, r.Node("d1"), "a", "g")
	for _, tc := range []struct {
		name string
		do   func() error
		want string
	}{
		{"unknown crash", func() error { return r.Crash("d9") }, `daemon: unknown node "d9", the nodes are d1, d2, d3`},
		{"unknown restart", func() error { return r.Restart("x") }, `daemon: unknown node "x", the nodes are d1, d2, d3`},
		{"restart running", func() error { return r.Restart("d2") }, "daemon: node d2 is running (crash it first)"},
		{"left out", func() error { return r.Partition([]string{"d1"}, []string{"d2"}) }, "daemon: partition leaves out d3; name every node exactly once (nodes: d1, d2, d3)"},
		{"twice", func() error { return r.Partition([]string{"d1", "d2"}, []string{"d2", "d3"}) }, "daemon: partition names node d2 twice; name every node exactly once"},
		{"unknown part", func() error { return r.Partition([]string{"d1", "d2", "d3", "d4"}) }, `daemon: partition names unknown node "d4", the nodes are d1, d2, d3`},
		{"empty part", func() error { return r.Partition([]string{"d1", "d2", "d3"}, nil) }, "daemon: partition component 2 is empty; every component names at least one node"},
	} {
		err := tc.do()
		var fe *daemon.FaultError
		if err == nil || err.Error() != tc.want || !errors.As(err, &fe) {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
	r.Crash("d3")
	if err := r.Crash("d3"); err == nil || err.Error() != "daemon: node d3 is already crashed (restart it first)" {
		t.Errorf("crash twice: %v", err)
	}
	if comps, down := r.Layout(); len(comps) != 1 || len(comps[0]) != 2 || !slices.Equal(down, []string{"d3"}) {
		t.Fatalf("layout changed: %v %v", comps, down)
	}
	// Nothing reached a: a partition refused, a crash of a node without
	// members of g.
	a.Multicast(spread.AgreedMess, "g", []byte("x"), 0)
	if m := recvData(t, a); string(m.Data) != "x" {
		t.Fatalf("got %q", m.Data)
	}
	r.Close()
	for _, f := range []func() error{func() error { return r.Crash("d1") }, r.Heal, func() error { return r.Restart("d3") },
		func() error { return r.Partition([]string{"d1", "d2", "d3"}) }} {
		if err := f(); !errors.Is(err, daemon.ErrRingStopped) {
			t.Errorf("fault on a stopped ring: %v", err)
		}
	}
}

// TestRingConfigErrors: sizes and names a ring cannot have.
func TestRingConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  daemon.RingConfig
		want string
	}{
		{daemon.RingConfig{Nodes: 129}, "daemon: ring of 129 nodes, allowed 1..128 (the real daemon's limit of daemons in one ring)"},
		{daemon.RingConfig{Nodes: -1}, "daemon: ring of -1 nodes, allowed 1..128 (the real daemon's limit of daemons in one ring)"},
		{daemon.RingConfig{Nodes: 2, Names: []string{"a"}}, "daemon: 1 names for 2 nodes: give one name per node, or none for d1..d2"},
		{daemon.RingConfig{Names: []string{"a", "a"}}, `daemon: node name "a" given twice, each node needs its own`},
		{daemon.RingConfig{Names: []string{"a#b"}}, `daemon: daemon name "a#b" has byte '#' (0x23) at offset 1: allowed are '$'..'~' (0x24..0x7e: printable ASCII except space, '!', '"' and '#')`},
		{daemon.RingConfig{Node: daemon.Config{Host: "0.0.0.0"}}, `daemon: RingConfig.Node sets Name "" / Host "0.0.0.0": every node of a ring gets its own (RingConfig.Names; 127.0.0.K)`},
	} {
		r, err := daemon.StartRing(tc.cfg)
		var ce *daemon.ConfigError
		if err == nil || err.Error() != tc.want || !errors.As(err, &ce) {
			if r != nil {
				r.Close()
			}
			t.Errorf("%+v: got %v, want %s", tc.cfg, err, tc.want)
		}
	}
}

// TestRingSockets: node 1 has the usual socket <dir>/<port>, the others
// one in a directory each, or <dir>/<own port> with a port per node; the
// ring removes what it created.
func TestRingSockets(t *testing.T) {
	for _, perNode := range []bool{false, true} {
		t.Run(fmt.Sprintf("PortPerNode=%v", perNode), func(t *testing.T) { testRingSockets(t, perNode) })
	}
}

func testRingSockets(t *testing.T, portPerNode bool) {
	dir, _ := os.MkdirTemp("", "spgoring")
	defer os.RemoveAll(dir)
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 2, PortPerNode: portPerNode, Node: daemon.Config{SocketDir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() }) // on a failure; the test closes it itself below
	n := r.Nodes()
	port := strconv.Itoa(n[0].Port())
	want := []string{filepath.Join(dir, port), filepath.Join(dir, "spgo-ring-d2", port)}
	if r.PortPerNode() { // 127.0.0.2 cannot be bound here: a port each, so no directory is needed
		want[1] = filepath.Join(dir, strconv.Itoa(n[1].Port()))
	}
	for k, d := range n {
		if d.UnixPath() != want[k] {
			t.Fatalf("node %d socket %q, want %q", k+1, d.UnixPath(), want[k])
		}
		mb, err := spread.Connect(filepath.Base(want[k]), spread.WithName("u"), spread.WithSocketDir(filepath.Dir(want[k])))
		if err != nil {
			t.Fatal(err)
		}
		if mb.PrivateGroup() != "#u#"+d.Name() {
			t.Fatalf("private group %q", mb.PrivateGroup())
		}
		mb.Disconnect()
	}
	r.Close()
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// TestRingPortPerNode: one port each on 127.0.0.1.
func TestRingPortPerNode(t *testing.T) {
	dir := t.TempDir()
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 3, PortPerNode: true, Node: daemon.Config{SocketDir: dir, NoUnixSocket: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	seen := map[string]bool{}
	for _, d := range r.Nodes() {
		if !hasSuffix(d.SpreadName(), "@127.0.0.1") || seen[d.SpreadName()] {
			t.Fatalf("address %q", d.SpreadName())
		}
		seen[d.SpreadName()] = true
	}
	a := member(t, r.Node("d1"), "a", "g")
	member(t, r.Node("d3"), "c", "g")
	if m := recvMemb(t, a); !slices.Equal(m.Members, []string{"#a#d1", "#c#d3"}) {
		t.Fatalf("members %v", m.Members)
	}
}

// TestRingStartFailsWhereANodeCannotListen: a node whose address is taken
// fails the start with the reason; nothing is left listening.
func TestRingStartFailsWhereANodeCannotListen(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2 here (%v): the ring uses a port per node", err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 3, Node: daemon.Config{Port: port, NoUnixSocket: true}})
	if err == nil {
		r.Close()
		t.Fatal("ring started on a taken address")
	}
	want := fmt.Sprintf("daemon: node d2: start (node 2 of 3): tcp 127.0.0.2:%d: port is in use; stop what listens there or choose another port", port)
	var ne *daemon.NodeError
	if err.Error() != want || !errors.As(err, &ne) || ne.Node != "d2" || !errors.Is(err, daemon.ErrPortInUse) {
		t.Fatalf("got %v, want %s", err, want)
	}
	// d1 had started listening: it was closed again.
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("d1's address still taken after the failed start: %v", err)
	}
	l.Close()
}

// TestRingGroupFormedOnBothSides: a group created apart on each side of a
// partition becomes one at the merge, one vs set per side, d1's side
// first; a group that lived on one side only sees nothing.
func TestRingGroupFormedOnBothSides(t *testing.T) {
	r := startRing(t, 3)
	n := r.Nodes()
	if err := r.Partition([]string{"d1"}, []string{"d2", "d3"}); err != nil {
		t.Fatal(err)
	}
	c := member(t, n[2], "c", "x")
	a := member(t, n[0], "a", "x")
	solo := member(t, n[1], "s", "only")
	if err := r.Heal(); err != nil {
		t.Fatal(err)
	}
	for i, mb := range []*spread.Mailbox{a, c} {
		wantView(t, recvMemb(t, mb), []string{"#a#d1", "#c#d3"}, [][]string{{"#a#d1"}, {"#c#d3"}}, i, proc1)
	}
	// "only" did not change: the next thing its member gets is its message.
	solo.Multicast(spread.AgreedMess, "only", []byte("quiet"), 0)
	if m := recvData(t, solo); string(m.Data) != "quiet" {
		t.Fatalf("got %q", m.Data)
	}
}

// TestRingRestartWhileAddressesAreRead: a node's addresses may be read
// while it crashes and restarts (run with -race); they stay the same.
func TestRingRestartWhileAddressesAreRead(t *testing.T) {
	r := startRing(t, 2)
	d := r.Node("d2")
	want := d.SpreadName()
	stop := make(chan struct{})
	readDone := make(chan error)
	go func() {
		for {
			select {
			case <-stop:
				readDone <- nil
				return
			default:
			}
			if got := d.SpreadName(); got != want {
				readDone <- fmt.Errorf("address %q, want %q", got, want)
				return
			}
			d.TCPAddr()
			d.UnixPath()
		}
	}()
	for range 20 {
		if err := r.Crash("d2"); err != nil {
			t.Fatal(err)
		}
		if err := r.Restart("d2"); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-readDone; err != nil {
		t.Fatal(err)
	}
	member(t, d, "x", "") // and it serves
}

// TestRingSocketDirNotADirectory: a node's socket directory taken by a
// file fails the start, naming it.
func TestRingSocketDirNotADirectory(t *testing.T) {
	dir, _ := os.MkdirTemp("", "spgoring")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "spgo-ring-d2"), nil, 0o600)
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: 2, Node: daemon.Config{SocketDir: dir}})
	if err == nil {
		r.Close()
		t.Skip("one port per node here: no socket directories") // only where 127.0.0.2 cannot be bound
	}
	want := "daemon: node d2: socket directory: " + filepath.Join(dir, "spgo-ring-d2") + " exists and is not a directory (mode -rw-------); remove it or choose another SocketDir"
	if err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if left, _ := os.ReadDir(dir); len(left) != 1 {
		t.Fatalf("left behind: %v", left)
	}
}

// TestRingHeldFault: a held crash and a held partition tell members in
// two steps; what is ordered in between is delivered where the
// configuration then in force says.
func TestRingHeldFault(t *testing.T) {
	r := startRing(t, 3)
	a, b, c, gid := three(t, r)
	data := func(mb *spread.Mailbox, want string) {
		t.Helper()
		if m := recvData(t, mb); string(m.Data) != want {
			t.Fatalf("%s got %q, want %q", mb.PrivateGroup(), m.Data, want)
		}
	}
	step := func(wantDone bool) {
		t.Helper()
		if done, err := r.Step(); err != nil || done != wantDone {
			t.Fatalf("step: %v %v", done, err)
		}
	}
	// A partition, unnoticed: messages still cross.
	if err := r.Hold(); err != nil {
		t.Fatal(err)
	}
	if err := r.Partition([]string{"d1", "d2"}, []string{"d3"}); err != nil {
		t.Fatal(err)
	}
	c.Multicast(spread.AgreedMess, "g", []byte("before"), 0)
	for _, mb := range []*spread.Mailbox{a, b, c} {
		data(mb, "before")
	}
	step(false) // transitional configurations: each side alone
	if err := r.Heal(); err == nil {
		t.Fatal("a fault was accepted in a held fault's transitional configuration")
	}
	for _, mb := range []*spread.Mailbox{a, b, c} {
		wantTransition(t, recvMemb(t, mb), gid)
	}
	c.Multicast(spread.SafeMess, "g", []byte("in-transition"), 0)
	data(c, "in-transition")
	step(true)
	ab := []string{"#a#d1", "#b#d2"}
	for _, mb := range []*spread.Mailbox{a, b} {
		wantView(t, recvMemb(t, mb), ab, [][]string{ab}, 0, proc1) // "in-transition" never reached them
	}
	wantView(t, recvMemb(t, c), []string{"#c#d3"}, [][]string{{"#c#d3"}}, 0, proc3)

	// A crash, unnoticed: d3's member is cut at once, the others hear of it
	// in two steps.
	r.Heal()
	var id spread.GroupID
	for _, mb := range []*spread.Mailbox{a, b, c} {
		id = recvMemb(t, mb).GroupID
	}
	r.Hold()
	r.Crash("d3")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.ReceiveContext(ctx); err == nil {
		t.Fatal("the crashed node's member still receives")
	}
	a.Multicast(spread.SafeMess, "g", []byte("unnoticed"), 0)
	data(a, "unnoticed")
	data(b, "unnoticed")
	step(false)
	a.Multicast(spread.SafeMess, "g", []byte("transitional"), 0)
	for _, mb := range []*spread.Mailbox{a, b} {
		wantTransition(t, recvMemb(t, mb), id)
		data(mb, "transitional")
	}
	step(true)
	for _, mb := range []*spread.Mailbox{a, b} {
		wantView(t, recvMemb(t, mb), ab, [][]string{ab}, 0, proc1)
	}
	if _, err := r.Step(); err == nil {
		t.Fatal("a step with nothing held was accepted")
	}
}
