package daemon

import (
	"slices"
)

// What a running daemon tells about itself (counters, sessions, groups,
// members) and KillSession, the operator's one action on a session.

// Stats counts what the daemon has done; a snapshot from Stats().
type Stats struct {
	Sessions    int    // live sessions
	Handshakes  int    // connections still in the handshake
	Groups      int    // non-empty groups
	Connects    uint64 // sessions accepted since start
	Rejected    uint64 // connections refused in the handshake (any code)
	Kills       uint64 // sessions the daemon killed (bad frame, slow consumer, KillSession)
	MessagesIn  uint64 // client frames ordered (data, join, leave, kill)
	MessagesOut uint64 // frames queued to sessions (data and membership)
	SenderWaits uint64 // times a sender was held back for a congested receiver
}

// Stats returns a snapshot of the counters.
func (d *Daemon) Stats() Stats {
	q := d.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	return d.statsLocked()
}

func (d *Daemon) statsLocked() Stats {
	st := d.reg.stats
	st.SenderWaits = d.reg.waits.Load()
	if d.comp != nil {
		st.Groups = len(d.comp.groups)
	}
	for s := range d.reg.all {
		if s.state == stateLive {
			st.Sessions++
		} else {
			st.Handshakes++
		}
	}
	return st
}

// SessionCount is the number of live sessions.
func (d *Daemon) SessionCount() int { return d.Stats().Sessions }

// Sessions returns the private group names of the live sessions, sorted.
func (d *Daemon) Sessions() []string {
	q := d.seq
	q.mu.Lock()
	var out []string
	for _, s := range d.reg.byName {
		if s.state == stateLive {
			out = append(out, s.pgroup)
		}
	}
	q.mu.Unlock()
	slices.Sort(out)
	return out
}

// Members returns the private group names of group's members in the order
// membership messages list them (on a ring: every member this node's
// component knows, on any node), or nil if the group has no members.
func (d *Daemon) Members(group string) []string {
	q := d.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	if d.comp == nil {
		return nil
	}
	g := d.comp.groups[group]
	if g == nil {
		return nil
	}
	out := make([]string, len(g.members))
	for i, m := range g.members {
		out[i] = m.pgroup
	}
	return out
}

// Groups returns the names of the non-empty groups (on a ring: those this
// node's component knows), sorted.
func (d *Daemon) Groups() []string {
	q := d.seq
	q.mu.Lock()
	out := []string{}
	if d.comp != nil {
		for n := range d.comp.groups {
			out = append(out, n)
		}
	}
	q.mu.Unlock()
	slices.Sort(out)
	return out
}

// KillSession ends the session whose private group (or private name) is
// given, as the daemon kills a misbehaving session: the connection closes,
// the other members see CAUSED_BY_DISCONNECT. It reports whether such a
// live session existed.
func (d *Daemon) KillSession(name string) bool {
	q := d.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	s := d.reg.byName[name]
	if s == nil {
		for _, c := range d.reg.byName {
			if c.pgroup == name {
				s = c
				break
			}
		}
	}
	if s == nil || s.state != stateLive {
		return false
	}
	q.removeLocked(s, "killed: by KillSession", false)
	q.reap()
	return true
}

// progressOf reports how many bytes the session whose peer address is
// remote has consumed, and whether it exists. Tests use it to know that
// a request has been applied before they send the next one.
func (d *Daemon) progressOf(remote string) (consumed int64, found bool) {
	q := d.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	for s := range d.reg.all {
		if s.remote == remote {
			return s.in.consumed.Load(), true
		}
	}
	return 0, false
}
