package daemon

import (
	"bytes"
	"sort"

	"github.com/spgo/spgo/internal/wire"
)

// group is one non-empty group. It exists while it has members; a group
// that empties is deleted and its index starts at 1 again when re-created
// (docs/protocol.md §7.2).
type group struct {
	name    string
	field   wire.Name  // NUL-padded name, the sender field of membership messages
	members []*session // sorted bytewise by private group name
	index   int32      // group_id.index of the current view
}

// add inserts s in member order.
func (g *group) add(s *session) {
	i := sort.Search(len(g.members), func(i int) bool {
		return bytes.Compare(g.members[i].pfield.Bytes(), s.pfield.Bytes()) >= 0
	})
	g.members = append(g.members, nil)
	copy(g.members[i+1:], g.members[i:])
	g.members[i] = s
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
