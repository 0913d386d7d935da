package daemon

import (
	"slices"
	"sort"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// Network changes: what the daemons of a real ring tell their clients when
// the daemon membership changes (docs/protocol.md §7.3). The ring is
// simulated: a fault is applied in one step of the sequencer, every
// message ordered before it is already queued for its recipients, so the
// members that move together to the next view have delivered the same
// messages before it (virtual synchrony).

// membID is a daemon membership id: the proc id of the daemon that leads
// the configuration (the first in configuration order) and the time (s)
// it formed.
type membID struct{ proc, time int32 }

// compare orders membership ids as the real daemon orders vs sets: proc id,
// then time.
func (a membID) compare(b membID) int {
	switch {
	case a.proc != b.proc:
		return int(a.proc) - int(b.proc)
	case a.time != b.time:
		return int(a.time) - int(b.time)
	}
	return 0
}

// component is a set of nodes that reach each other, with the groups they
// all know. Components never share a group object.
type component struct {
	id     membID
	nodes  []*Daemon // in configuration order
	groups map[string]*group
}

// newTimes picks the times of a new configuration of nodes: the
// transitional one's and one past it for the regular one, never earlier
// than a time one of them has used. Every daemon keeps its own times, so
// components that form in the same second get the same time, as on a real
// ring (capture 35_ring_partition_merge.txt); now is read once per fault.
func newTimes(nodes []*Daemon, now int32) (trans, reg int32) {
	t := now
	for _, d := range nodes {
		if t <= d.lastTime {
			t = d.lastTime + 1
		}
	}
	for _, d := range nodes {
		d.lastTime = t + 1
	}
	return t, t + 1
}

// wanted lists the components that the partition, the running nodes and
// the frozen ones call for and that are not installed as they are. A
// frozen node is in none: the others go on without it, and it keeps what
// it had until it is thawed.
func (q *sequencer) wanted() [][]*Daemon {
	var want [][]*Daemon
	index := map[int]int{}
	for _, d := range q.nodes {
		if d.reg.down || d.frozen {
			continue
		}
		i, ok := index[q.part[d.idx]]
		if !ok {
			i = len(want)
			index[q.part[d.idx]] = i
			want = append(want, nil)
		}
		want[i] = append(want[i], d)
	}
	changed := want[:0]
	for _, nodes := range want {
		if !installed(nodes) {
			changed = append(changed, nodes)
		}
	}
	return changed
}

// installed reports whether nodes are exactly the nodes of one installed
// component.
func installed(nodes []*Daemon) bool {
	c := nodes[0].comp
	if c == nil || !slices.Equal(c.nodes, nodes) {
		return false
	}
	for _, d := range nodes {
		if d.comp != c {
			return false
		}
	}
	return true
}

// tell installs the given components, both steps at once.
func (q *sequencer) tell(comps [][]*Daemon) {
	views := q.planAll(comps)
	for _, v := range views {
		q.transitionalStep(v)
		q.regularStep(v)
	}
	q.reap()
	q.changed.notify()
}

// planAll plans a view of each component; now is read once per change.
func (q *sequencer) planAll(comps [][]*Daemon) []*view {
	now := int32(time.Now().Unix())
	views := make([]*view, len(comps))
	for i, nodes := range comps {
		views[i] = q.plan(nodes, now)
	}
	return views
}

// view is a component being formed: its nodes, the old components they
// come from (one side each), and its membership ids.
type view struct {
	nodes []*Daemon
	id    membID // the regular configuration's
	trans int32  // the transitional configurations' time
	in    []bool // by node index: in this view
	from  []*component
	sides []*component // the transitional configuration of each side
}

// plan picks the new component's ids; nobody is told anything yet.
func (q *sequencer) plan(nodes []*Daemon, now int32) *view {
	trans, reg := newTimes(nodes, now)
	v := &view{nodes: nodes, id: membID{proc: nodes[0].proc, time: reg}, trans: trans, in: make([]bool, len(q.nodes))}
	for _, d := range nodes {
		v.in[d.idx] = true
		if c := d.comp; c != nil && !slices.Contains(v.from, c) {
			v.from = append(v.from, c)
		}
	}
	return v
}

// transitionalStep puts each side in its transitional configuration:
// groups that lose members tell the members left with TRANSITION_MESS.
// Until the regular step, each side goes on alone.
func (q *sequencer) transitionalStep(v *view) {
	for _, c := range v.from {
		var nodes []*Daemon
		for _, d := range v.nodes {
			if d.comp == c {
				nodes = append(nodes, d)
			}
		}
		id := membID{proc: nodes[0].proc, time: v.trans}
		side := &component{id: id, nodes: nodes, groups: q.transitional(c, v.in, id)}
		side.install()
		v.sides = append(v.sides, side)
	}
}

// regularStep installs the view: a purely subtractive change gives every
// changed group one vs set, a merge one vs set per group of daemons that
// were together (CAUSED_BY_NETWORK either way).
func (q *sequencer) regularStep(v *view) {
	pure := len(v.sides) == 1 // transitional = regular
	var groups map[string]*group
	switch {
	case len(v.sides) == 0:
		groups = map[string]*group{}
	case pure:
		groups = v.sides[0].groups
	default:
		sides := make([]map[string]*group, len(v.sides))
		for i, s := range v.sides {
			sides[i] = s.groups
		}
		groups = merge(sides)
	}
	for _, name := range sortedNames(groups) {
		g := groups[name]
		if !pure && !g.changed {
			for _, m := range g.members {
				if g.nodeMemb[m.d.idx] != g.memb() {
					g.changed = true
					break
				}
			}
		}
		if !g.changed {
			continue
		}
		g.changed = false
		if pure {
			g.setMemb(v.id)
		}
		g.id = wire.GroupID{ProcID: v.id.proc, Time: v.id.time, Index: 1}
		q.network(g)
		g.setMemb(v.id)
	}
	(&component{id: v.id, nodes: v.nodes, groups: groups}).install()
}

// install makes c the component of its nodes and of their members' groups.
func (c *component) install() {
	for _, d := range c.nodes {
		d.comp = c
	}
	for _, g := range c.groups {
		for _, m := range g.members {
			m.groups[g.name] = g
		}
	}
}

// transitional copies c's groups as the nodes of c that stay together
// (in) see them: members on other nodes are gone; a group that lost some
// tells its remaining members with TRANSITION_MESS, carrying the view
// they leave, and takes the transitional membership id.
func (q *sequencer) transitional(c *component, in []bool, trans membID) map[string]*group {
	out := make(map[string]*group, len(c.groups))
	for _, name := range sortedNames(c.groups) {
		g := c.groups[name]
		ng := &group{name: g.name, field: g.field, id: g.id, nodeMemb: slices.Clone(g.nodeMemb), changed: g.changed}
		lost := false
		for _, m := range g.members {
			if in[m.d.idx] && m.d.comp == c {
				ng.members = append(ng.members, m)
			} else {
				lost = true
			}
		}
		if len(ng.members) == 0 {
			continue
		}
		if lost {
			q.transition(ng)
			ng.changed = true
			ng.id = wire.GroupID{ProcID: trans.proc, Time: trans.time, Index: 1}
			ng.setMemb(trans)
		}
		out[name] = ng
	}
	return out
}

// merge joins the groups of several sides: same-named groups become one,
// their members in member order, each node keeping its membership id.
func merge(sides []map[string]*group) map[string]*group {
	out := map[string]*group{}
	for _, side := range sides {
		for name, g := range side {
			have := out[name]
			if have == nil {
				out[name] = g
				continue
			}
			for _, m := range g.members {
				if !have.hasNode(m.d) {
					have.nodeMemb[m.d.idx] = g.nodeMemb[m.d.idx]
				}
			}
			have.members = append(have.members, g.members...)
			sort.SliceStable(have.members, func(i, j int) bool { return before(have.members[i], have.members[j]) })
			have.changed = have.changed || g.changed
		}
	}
	return out
}

// setMemb gives every node with members the membership id m.
func (g *group) setMemb(m membID) {
	for _, s := range g.members {
		g.nodeMemb[s.d.idx] = m
	}
}

func sortedNames(groups map[string]*group) []string {
	names := make([]string, 0, len(groups))
	for n := range groups {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// transition sends TRANSITION_MESS with g's current id to its members that
// asked for membership messages (docs/protocol.md §7.3).
func (q *sequencer) transition(g *group) {
	h := wire.Header{Type: wire.TransitionMess, Sender: g.field, Hint: wire.EndianMarker, DataLen: 12}
	b := wire.AppendHeader(q.scratch[:0], &h)
	b = wire.AppendGroupID(b, g.id)
	q.scratch = b
	for _, m := range g.members {
		if m.membership {
			q.send(m, b, nil)
		}
	}
}

// network sends the CAUSED_BY_NETWORK view of g to its members that asked
// for membership messages (docs/protocol.md §7.2): all members, then one vs
// set per run of nodes with the same membership id (sorted by that id, then
// configuration order), each node's members told the offset of its own set.
func (q *sequencer) network(g *group) {
	var order []*Daemon // nodes with members, configuration order
	for _, m := range g.members {
		if len(order) == 0 || order[len(order)-1] != m.d {
			order = append(order, m.d)
		}
	}
	slices.SortStableFunc(order, func(a, b *Daemon) int { return g.nodeMemb[a.idx].compare(g.nodeMemb[b.idx]) })
	var sets [][]byte
	setOf := make(map[*Daemon]int, len(order))
	for i, d := range order {
		if i == 0 || g.nodeMemb[d.idx] != g.nodeMemb[order[i-1].idx] {
			sets = append(sets, nil)
		}
		k := len(sets) - 1
		setOf[d] = k
		for _, m := range g.members {
			if m.d == d {
				sets[k] = append(sets[k], m.pfield[:]...)
			}
		}
	}
	sizes := make([]int, len(sets))
	for i, s := range sets {
		sizes[i] = len(s) / wire.MaxGroupName
	}
	h := wire.Header{
		Type:      wire.RegMembMess | wire.CausedByNetwork,
		Sender:    g.field,
		NumGroups: int32(len(g.members)),
		Hint:      wire.EndianMarker,
		DataLen:   int32(wire.MembershipBodyLen(sizes...)),
	}
	for _, d := range order {
		b := wire.AppendHeader(q.scratch[:0], &h)
		for _, m := range g.members {
			b = append(b, m.pfield[:]...)
		}
		b = wire.AppendMembershipBody(b, g.id, setOf[d], sets...)
		q.scratch = b
		for _, m := range g.members {
			if m.d == d && m.membership {
				q.send(m, b, nil)
			}
		}
	}
}
