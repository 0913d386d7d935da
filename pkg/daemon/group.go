package daemon

import (
	"bytes"
	"sort"

	"github.com/spgo/spgo/internal/wire"
)

// group is one non-empty group as one component of the ring knows it. It
// exists while it has members; a group that empties is deleted and its
// index starts at 1 again when re-created (docs/protocol.md §7.2).
type group struct {
	name  string
	field wire.Name // NUL-padded name, the sender field of membership messages
	// members are sorted by node (configuration order), then bytewise by
	// private group name: the order membership messages list them.
	members []*session
	id      wire.GroupID // the current view
	// nodeMemb is, per node index, the membership id of the configuration
	// in which that node's members were last known to be with the others
	// (daemon_members.memb_id); it decides the vs sets after a merge.
	nodeMemb []membID
	changed  bool // lost members in a transitional configuration
}

// newGroup is an empty group created in the configuration with id memb.
func newGroup(name string, memb membID, nodes int) *group {
	g := &group{name: name, field: wire.MakeName(name), nodeMemb: make([]membID, nodes)}
	g.id = wire.GroupID{ProcID: memb.proc, Time: memb.time}
	return g
}

// memb is the membership-id part of the group id.
func (g *group) memb() membID { return membID{proc: g.id.ProcID, time: g.id.Time} }

// before orders members: node first, then private group name.
func before(a, b *session) bool {
	if a.d.idx != b.d.idx {
		return a.d.idx < b.d.idx
	}
	return bytes.Compare(a.pfield.Bytes(), b.pfield.Bytes()) < 0
}

// add inserts s in member order. A node's first member takes the group's
// membership id, as a daemon joining the group's daemons does.
func (g *group) add(s *session) {
	i := sort.Search(len(g.members), func(i int) bool { return !before(g.members[i], s) })
	if !g.hasNode(s.d) {
		g.nodeMemb[s.d.idx] = g.memb()
	}
	g.members = append(g.members, nil)
	copy(g.members[i+1:], g.members[i:])
	g.members[i] = s
}

// hasNode reports whether some member is on node d.
func (g *group) hasNode(d *Daemon) bool {
	for _, m := range g.members {
		if m.d == d {
			return true
		}
	}
	return false
}

// remove deletes s; it reports whether s was a member.
func (g *group) remove(s *session) bool {
	for i, m := range g.members {
		if m == s {
			copy(g.members[i:], g.members[i+1:])
			g.members[len(g.members)-1] = nil
			g.members = g.members[:len(g.members)-1]
			return true
		}
	}
	return false
}
