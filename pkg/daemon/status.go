package daemon

import (
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// NumServices is the number of data service types counted in
// Status.Services, weakest first: unreliable, reliable, fifo, causal,
// agreed, safe (the order of spread.DataServices; ServiceNames names them).
const NumServices = 6

// ServiceStats counts the data messages of one service type. Bytes are
// frame bytes as they travel (header, group names and payload).
type ServiceStats struct {
	MessagesIn  uint64 // messages clients sent
	BytesIn     uint64
	MessagesOut uint64 // copies queued to recipients
	BytesOut    uint64
}

// monCounters are the counters only monitoring reads. They live in the
// registry and are written under the sequencer's mutex, like Stats: plain
// increments, nothing allocated.
type monCounters struct {
	services  [NumServices]ServiceStats
	rejects   [16]uint64 // handshake rejections, by -code (REJECT_QUOTA is -3)
	slowKills uint64
}

// serviceSlot is the Services index of a data message's type: its
// strongest service bit (the daemon delivers by the strongest asked for).
func serviceSlot(t uint32) int { return bits.Len32(t&wire.RegularMess) - 1 }

func (m *monCounters) countReject(code byte) {
	if i := -int(int8(code)); i >= 0 && i < len(m.rejects) {
		m.rejects[i]++
	}
}

// Status is a consistent snapshot of one daemon (or ring node), for
// monitoring: its counters, sessions and groups at one point in the order.
type Status struct {
	Name string
	// Started is when the daemon started, or a ring node last restarted.
	Started time.Time
	// Up is false for a crashed ring node (everything else is then zero,
	// but Name, Started and DownSince).
	Up bool
	// DownSince is when a node that is not Up went down; zero while Up.
	DownSince time.Time
	// Frozen is true for a frozen ring node (Ring.Freeze): it is Up but
	// does nothing; a real one would not even answer.
	Frozen bool
	// FrozenSince is when a Frozen node was frozen; zero otherwise.
	FrozenSince time.Time
	Stats       Stats
	// Services counts data messages by service type, weakest first
	// (NumServices).
	Services          [NumServices]ServiceStats
	SlowConsumerKills uint64
	// Rejections counts refused handshakes by reason (REJECT_QUOTA,
	// REJECT_NOT_UNIQUE, ...).
	Rejections map[string]uint64
	// Queued is the number of messages waiting in all sessions' queues.
	Queued int
	// Daemons are the names of the daemons in this node's membership
	// (its ring component), in configuration order; just Name for a single
	// daemon.
	Daemons  []string
	Sessions []SessionStatus // sorted by private group
	Groups   []GroupStatus   // sorted by name
}

// SessionStatus describes one live session.
type SessionStatus struct {
	PrivateGroup string   // #name#daemon
	Remote       string   // peer address ("unix" for a unix-socket client)
	Version      string   // the client library's version
	Membership   bool     // asked for membership messages
	Groups       []string // joined, sorted
	Queued       int      // messages waiting to be written
	BytesIn      uint64   // bytes read from the client
	BytesOut     uint64   // bytes written to the client
}

// GroupStatus is one non-empty group and its members, in the order
// membership messages list them.
type GroupStatus struct {
	Name    string
	Members []string
}

// Status returns a snapshot of the daemon. It takes the daemon's lock
// once; nothing on the message path pays for it.
func (d *Daemon) Status() Status {
	q := d.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	st := Status{
		Name: d.cfg.Name, Started: d.start, Up: !d.reg.down, Frozen: d.frozen,
		Stats: d.statsLocked(), Services: d.reg.mon.services, SlowConsumerKills: d.reg.mon.slowKills,
		Rejections: map[string]uint64{},
	}
	if d.reg.down {
		st.DownSince = d.reg.downSince
	}
	if d.frozen {
		st.FrozenSince = d.frozenSince
	}
	for i, n := range d.reg.mon.rejects {
		if n > 0 {
			st.Rejections[wire.HandshakeCodeName(byte(-i))] = n
		}
	}
	for _, s := range d.reg.byName {
		if s.state != stateLive {
			continue
		}
		ss := SessionStatus{PrivateGroup: s.pgroup, Remote: s.remote, Version: s.version, Membership: s.membership,
			Groups: make([]string, 0, len(s.groups)), BytesIn: uint64(s.in.consumed.Load())}
		for g := range s.groups {
			ss.Groups = append(ss.Groups, g)
		}
		slices.Sort(ss.Groups)
		s.out.mu.Lock()
		ss.Queued, ss.BytesOut = s.out.queued, s.out.written
		s.out.mu.Unlock()
		st.Queued += ss.Queued
		st.Sessions = append(st.Sessions, ss)
	}
	slices.SortFunc(st.Sessions, func(a, b SessionStatus) int { return strings.Compare(a.PrivateGroup, b.PrivateGroup) })
	if d.comp != nil {
		for _, n := range d.comp.nodes {
			st.Daemons = append(st.Daemons, n.cfg.Name)
		}
		for name, g := range d.comp.groups {
			gs := GroupStatus{Name: name, Members: make([]string, len(g.members))}
			for i, m := range g.members {
				gs.Members[i] = m.pgroup
			}
			st.Groups = append(st.Groups, gs)
		}
		slices.SortFunc(st.Groups, func(a, b GroupStatus) int { return strings.Compare(a.Name, b.Name) })
	}
	return st
}

// RejectionReasons are the handshake rejection reasons Status.Rejections
// can count, so a monitor can show every one, zeros included.
func RejectionReasons() []string {
	return []string{
		wire.HandshakeCodeName(codeQuota), wire.HandshakeCodeName(codeIllegalName),
		wire.HandshakeCodeName(codeNotUnique), wire.HandshakeCodeName(codeVersion), wire.HandshakeCodeName(codeAuth),
	}
}
