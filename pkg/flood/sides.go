package flood

import (
	"slices"
	"strings"
)

// A partition with senders on more than one side splits one flood into as
// many: from then on each side's senders reach that side's receivers only.
// Each side is judged on its own (Side):
//
//   - its own senders' messages: every one, at each of its receivers;
//   - another side's sender's messages: what reached one of its receivers
//     must reach them all (members that move together from the old view
//     agree on what they got in it: virtual synchrony, docs/protocol.md),
//     and with SAFE also every message any receiver delivered in the old
//     view before its transitional membership (SAFE delivers a message in
//     a view only once every daemon of the view has it);
//   - AGREED and SAFE: one total order among its receivers.
//
// A side is the live receivers whose last network membership was the
// same. A sender is on the side of its daemon, which a member's private
// name (#user#daemon) shows, or else on the side of the receiver furthest
// ahead with its messages (it alone kept getting them). A side without a
// live sender is no side: its receivers are apart, judged like departed
// ones, as when a partition leaves receivers away from every sender.

// Side is one side of a partitioned ring, as a flood with senders on more
// than one side judged it.
type Side struct {
	// Daemons are the daemons the side's sessions were on, as dialled
	// (or as a Placement labels them).
	Daemons []string `json:"daemons"`
	// Members is the last network membership of the flood's group its
	// receivers got.
	Members []string `json:"members"`
	// Senders and Receivers are this flood's sessions on the side.
	Senders   []string `json:"senders"`
	Receivers []string `json:"receivers"`
	// Memberships are the transitional and network memberships its
	// receivers saw, in time order; SeenBy counts this side's receivers.
	Memberships []FaultEvent `json:"memberships"`
	// Sent is what its senders sent; Delivered, Lost, Duplicated and
	// OutOfOrder are summed over its receivers, judged as above.
	Sent       int64 `json:"sent"`
	Delivered  int64 `json:"delivered"`
	Lost       int64 `json:"lost"`
	Duplicated int64 `json:"duplicated"`
	OutOfOrder int64 `json:"out_of_order"`
	// TotalOrderDisagree counts its receivers whose delivery order
	// differs from its first complete receiver's (AGREED, SAFE: must be 0).
	TotalOrderDisagree int `json:"total_order_disagree"`
	// Violations are the promises broken on this side; Verdict is
	// VerdictBroken when there are some, else VerdictFaultKept.
	Violations []string `json:"violations"`
	Verdict    Verdict  `json:"verdict"`
}

// viewGroup is the live receivers that got the same last network
// membership (or none: key "").
type viewGroup struct {
	key     string
	members []string
	recvs   []*receiver
	senders []*sender
}

// markSides notes, before the sessions are closed, the side of a
// partition each live session is on: receivers on a side without a live
// sender are apart; when two sides or more have senders, each session
// gets its side's number (from 1) and f.sides the sides' memberships.
// Only a flood that runs both senders and receivers here can tell.
func (f *flood) markSides() {
	if len(f.receivers) == 0 || len(f.senders) == 0 || !f.viewSeen.Load() {
		return
	}
	groups := f.viewGroups()
	for _, s := range f.senders {
		if g := senderGroup(s, groups); g >= 0 && !s.gone.Load() {
			groups[g].senders = append(groups[g].senders, s)
		}
	}
	var sided []viewGroup
	for _, g := range groups {
		if len(g.senders) == 0 {
			for _, r := range g.recvs {
				if g.key == "" {
					break // it saw no network membership: no partition put it apart
				}
				r.apart = true
			}
			continue
		}
		sided = append(sided, g)
	}
	if len(sided) < 2 {
		return
	}
	for k, g := range sided {
		for _, r := range g.recvs {
			r.side = k + 1
		}
		for _, s := range g.senders {
			s.side = k + 1
		}
		f.sideMembers = append(f.sideMembers, g.members)
	}
}

// viewGroups splits the live receivers by their last network membership,
// in the receivers' order.
func (f *flood) viewGroups() []viewGroup {
	var groups []viewGroup
	for _, r := range f.receivers {
		if r.dead.Load() {
			continue
		}
		var members []string
		if v := r.view.Load(); v != nil {
			for name := range *v {
				members = append(members, name)
			}
			slices.Sort(members)
		}
		key := strings.Join(members, "\x00")
		i := slices.IndexFunc(groups, func(g viewGroup) bool { return g.key == key })
		if i < 0 {
			i = len(groups)
			groups = append(groups, viewGroup{key: key, members: members})
		}
		groups[i].recvs = append(groups[i].recvs, r)
	}
	return groups
}

// senderGroup is the index of the group sender s is with: the one with a
// member on s's daemon, else the one of its lead; -1 when neither tells.
func senderGroup(s *sender, groups []viewGroup) int {
	if d := privateDaemon(s.name); d != "" {
		for i, g := range groups {
			if slices.ContainsFunc(g.members, func(m string) bool { return privateDaemon(m) == d }) {
				return i
			}
		}
	}
	lead := s.lead()
	return slices.IndexFunc(groups, func(g viewGroup) bool { return slices.Contains(g.recvs, lead) })
}

// privateDaemon is the daemon in a private group name "#user#daemon", ""
// when name has none.
func privateDaemon(name string) string {
	if i := strings.LastIndexByte(name, '#'); i > 0 {
		return name[i+1:]
	}
	return ""
}

// sideResults are the sides markSides found, with their sessions and the
// memberships their receivers saw; their figures come from the clients'
// rows (judgeSides). nil without sides.
func (f *flood) sideResults() []Side {
	var out []Side
	for k, members := range f.sideMembers {
		sd := Side{Members: members, Senders: []string{}, Receivers: []string{}, Violations: []string{}}
		var recvs []*receiver
		for _, s := range f.senders {
			if s.side == k+1 {
				sd.Senders = append(sd.Senders, s.name)
				sd.Daemons = appendNew(sd.Daemons, s.daemon)
			}
		}
		for _, r := range f.receivers {
			if r.side == k+1 {
				sd.Receivers = append(sd.Receivers, r.name)
				sd.Daemons = appendNew(sd.Daemons, r.daemon)
				recvs = append(recvs, r)
			}
		}
		sd.Memberships = viewEvents(recvs, f.startTime.UnixNano())
		out = append(out, sd)
	}
	return out
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// reachedSide is the most of local sender idx's messages (one past the
// highest sequence number) a surviving receiver on side got (side 0: on
// any, when the ring did not split with senders on several sides).
func (f *flood) reachedSide(idx uint32, side int) uint32 {
	var n uint32
	for _, r := range f.reporting() {
		if r.goneAt == 0 && !r.apart && r.side == side {
			n = max(n, r.check.Next(idx))
		}
	}
	return n
}

// oldViewReach is the most of local sender idx's messages any receiver
// delivered before its first view change: in the old view.
func (f *flood) oldViewReach(idx uint32) uint32 {
	var n uint32
	for _, r := range f.reporting() {
		if int(idx) < len(r.oldNext) {
			n = max(n, r.oldNext[idx])
		}
	}
	return n
}
