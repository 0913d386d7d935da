package daemon

import (
	"bytes"
	"slices"

	"github.com/spgo/spgo/internal/wire"
)

// daemonProcID is group_id.memb_id.proc_id of a daemon started with Start:
// the daemon's IPv4 address as an int, 127.0.0.1 as in every single-daemon
// capture (docs/protocol.md §7.2). Node K of a ring is 127.0.0.K.
const daemonProcID int32 = 0x7f000001

// membershipBodyLen is the body of a lightweight membership message: one
// vs set of one name (docs/protocol.md §7.2).
var membershipBodyLen = int32(wire.MembershipBodyLen(1))

// send queues frame for r, noting a full queue for reap and a congested
// one for the sender's back-pressure. It reports whether frame was queued.
func (q *sequencer) send(r *session, frame []byte, cong *[]*session) bool {
	if r.doomed || r.state != stateLive {
		return false // a crashed node's session, until its peers are told (Hold)
	}
	limit := r.d.cfg.MaxSessionMessages
	n, stalled, ok := r.out.enqueue(frame, q.shared, limit, q.flushes == nil)
	if q.flushes != nil && r.flushEp != q.flushEp {
		r.flushEp = q.flushEp
		*q.flushes = append(*q.flushes, r)
	}
	if !ok {
		r.doomed = true
		q.kills = append(q.kills, r)
		return false
	}
	r.d.reg.stats.MessagesOut++
	if cong != nil && !stalled && n > limit/2 && !slices.Contains(*cong, r) {
		*cong = append(*cong, r)
	}
	return true
}

// sendData is send for a data message of service slot svc, counted by
// service on the recipient's node.
func (q *sequencer) sendData(r *session, frame []byte, svc int, cong *[]*session) {
	if q.send(r, frame, cong) {
		c := &r.d.reg.mon.services[svc]
		c.MessagesOut++
		c.BytesOut += uint64(len(frame))
	}
}

// step applies the frames of one read of s in order, stopping after a
// frame that congested some session so that the reader can hold back
// (throttle) before the next one. It returns how many frames it applied
// and whether s is still live. The sessions it queued frames for are
// appended to *flushes, once each: the caller flushes them (nothing wakes
// their writers meanwhile).
func (q *sequencer) step(s *session, frames []inFrame, cong, flushes *[]*session) (int, bool) {
	q.lockOrdering(s.d) // a frozen or stalled node orders nothing
	q.changed.notify()
	q.flushes = flushes
	q.flushEp++
	defer func() {
		q.flushes = nil
		q.mu.Unlock()
	}()
	n := 0
	for n < len(frames) && s.state == stateLive && !s.doomed && len(*cong) == 0 {
		f := &frames[n]
		n++
		s.d.reg.stats.MessagesIn++
		t := f.h.Type
		switch {
		case t&wire.RegularMess != 0:
			q.data(s, f, cong)
		case t&wire.JoinMess != 0:
			q.join(s, f, cong)
		case t&wire.LeaveMess != 0:
			q.leave(s, f, cong)
		case t&wire.KillMess != 0:
			q.removeLocked(s, "client disconnected", true)
		}
		q.reap()
	}
	return n, s.state == stateLive
}

// data delivers one message once to every recipient in the sender's
// component (docs/protocol.md §7.1, §8.1).
func (q *sequencer) data(s *session, f *inFrame, cong *[]*session) {
	comp := s.d.comp
	q.epoch++
	ep := q.epoch
	svc := serviceSlot(f.h.Type)
	in := &s.d.reg.mon.services[svc]
	in.MessagesIn++
	in.BytesIn += uint64(len(f.b))
	if f.h.Type&wire.SelfDiscard != 0 {
		s.mark = ep
	}
	if len(f.b) >= shareMin {
		q.shared = newSharedFrame(f.b)
		defer func() {
			q.shared.release()
			q.shared = nil
		}()
	}
	n := int(f.h.NumGroups)
	for i := 0; i < n; i++ {
		field := f.b[wire.HeaderSize+i*wire.MaxGroupName : wire.HeaderSize+(i+1)*wire.MaxGroupName]
		name := field
		if j := bytes.IndexByte(field, 0); j >= 0 {
			name = field[:j]
		}
		if len(name) > 0 && name[0] == '#' {
			priv, proc, ok := wire.SplitPrivateGroup(name)
			if !ok {
				continue
			}
			node := s.d
			if string(proc) != node.cfg.Name {
				if node = q.byName[string(proc)]; node == nil || node.comp != comp {
					continue // no such daemon, or not reachable from the sender's
				}
			}
			r := node.reg.byName[string(priv)]
			if r == nil || r.state != stateLive || r.mark == ep {
				continue
			}
			r.mark = ep
			q.sendData(r, f.b, svc, cong)
			continue
		}
		g := comp.groups[string(name)]
		if g == nil {
			continue
		}
		for _, r := range g.members {
			if r.mark != ep {
				r.mark = ep
				q.sendData(r, f.b, svc, cong)
			}
		}
	}
}

// join adds s to the first group named (docs/protocol.md §6.1); a second join is ignored.
func (q *sequencer) join(s *session, f *inFrame, cong *[]*session) {
	nb, err := checkGroupName(f.b[wire.HeaderSize : wire.HeaderSize+wire.MaxGroupName])
	if err != nil {
		q.removeLocked(s, "killed: bad join: "+err.Error(), false)
		return
	}
	if s.groups[string(nb)] != nil {
		return
	}
	name := string(nb)
	comp := s.d.comp
	g := comp.groups[name]
	if g == nil {
		g = newGroup(name, comp.id, len(q.nodes))
		comp.groups[name] = g
	}
	g.id.Index++
	g.add(s)
	s.groups[name] = g
	q.membership(g, wire.CausedByJoin, s, cong)
}

// leave removes s from the first group named (docs/protocol.md §6.2); not a member: ignored.
func (q *sequencer) leave(s *session, f *inFrame, cong *[]*session) {
	nb, err := checkGroupName(f.b[wire.HeaderSize : wire.HeaderSize+wire.MaxGroupName])
	if err != nil {
		q.removeLocked(s, "killed: bad leave: "+err.Error(), false)
		return
	}
	g := s.groups[string(nb)]
	if g == nil {
		return
	}
	delete(s.groups, g.name)
	g.remove(s)
	if len(g.members) == 0 {
		delete(s.d.comp.groups, g.name)
	} else {
		g.id.Index++
		q.membership(g, wire.CausedByLeave, s, cong)
	}
	if s.membership {
		// Self-leave (docs/protocol.md §7.4): CAUSED_BY_LEAVE alone, no members, no body.
		h := wire.Header{Type: wire.CausedByLeave, Sender: g.field, Hint: wire.EndianMarker}
		q.scratch = wire.AppendHeader(q.scratch[:0], &h)
		q.send(s, q.scratch, nil)
	}
}

// membership sends a lightweight REG_MEMB_MESS about g, whose view has just
// changed by one member, to the members that asked for membership messages
// (docs/protocol.md §7.2): members sorted bytewise, group id, one vs set with the changed
// member, local offset 0, data_len 56.
func (q *sequencer) membership(g *group, cause uint32, changed *session, cong *[]*session) {
	h := wire.Header{
		Type:      wire.RegMembMess | cause,
		Sender:    g.field,
		NumGroups: int32(len(g.members)),
		Hint:      wire.EndianMarker,
		DataLen:   membershipBodyLen,
	}
	b := wire.AppendHeader(q.scratch[:0], &h)
	for _, m := range g.members {
		b = append(b, m.pfield[:]...)
	}
	b = wire.AppendMembershipBody(b, g.id, 0, changed.pfield[:])
	q.scratch = b
	for _, m := range g.members {
		if m.membership {
			q.send(m, b, cong)
		}
	}
}
