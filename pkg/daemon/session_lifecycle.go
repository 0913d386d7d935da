package daemon

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// A session's life, from accept through the handshake to its removal:
// connections come and go under the sequencer's lock, so that a departure
// takes its place in the one total order.

// accept registers a new connection (quota permitting) and starts its
// reader goroutine.
func (d *Daemon) accept(conn net.Conn) {
	q := d.seq
	q.lockServing(d) // a frozen daemon accepts nothing

	if d.reg.down {
		q.mu.Unlock()
		conn.Close()
		return
	}
	q.changed.notify()
	d.reg.nextID++
	id := d.reg.nextID
	if len(d.reg.all) >= d.cfg.MaxSessions {
		d.reg.stats.Rejected++
		d.reg.mon.countReject(codeQuota)
		d.wg.Add(1) // under mu: Close cannot be waiting yet
		q.mu.Unlock()
		d.log.Warn("session rejected", "remote", remoteOf(conn), "code", "REJECT_QUOTA",
			"reason", "too many sessions", "max_sessions", d.cfg.MaxSessions)
		go d.rejectQuota(conn)
		return
	}
	s := newSession(d, conn, id)
	d.reg.all[s] = struct{}{}
	d.wg.Add(1)
	q.mu.Unlock()
	go s.run()
}

// rejectQuota sends 0xfd before reading anything and closes (docs/protocol.md §4.3 step 1).
func (d *Daemon) rejectQuota(conn net.Conn) {
	defer d.wg.Done()
	conn.SetWriteDeadline(time.Now().Add(time.Second))
	conn.Write([]byte{codeQuota})
	conn.Close()
}

// reserve gives s its private name (inventing one for an empty name) or
// rejects a name in use, by live or authenticating sessions (docs/protocol.md §4.3 step 8).
func (q *sequencer) reserve(s *session, name string) error {
	q.lockServing(s.d)
	defer q.mu.Unlock()
	if s.state != stateHandshake {
		return &rejection{reason: "daemon closing"}
	}
	if name == "" {
		// Retry with other random numbers, as the real daemon does; the
		// bound only matters with a huge MaxSessions.
		for try := 0; ; try++ {
			if name = inventName(s.id); s.d.reg.byName[name] == nil {
				break
			}
			if try == 100000 {
				return reject(codeNotUnique, "no unused invented name r<n>-%d", s.id)
			}
		}
	} else if s.d.reg.byName[name] != nil {
		return reject(codeNotUnique, "private name %q is in use", name)
	}
	s.name = name
	s.pgroup = "#" + name + "#" + s.d.cfg.Name
	s.pfield = wire.MakeName(s.pgroup)
	s.state = stateReserved
	s.d.reg.byName[name] = s
	return nil
}

// goLive makes s addressable and starts its writer with the accept as the
// first bytes to write.
func (q *sequencer) goLive(s *session, accept []byte) error {
	q.lockServing(s.d)
	defer q.mu.Unlock()
	if s.state != stateReserved {
		return &rejection{reason: "daemon closing"}
	}
	s.out.push(accept, 0) // not a message: queued stays 0
	s.out.wake <- struct{}{}
	s.state = stateLive
	q.changed.notify()
	s.groups = make(map[string]*group)
	s.d.reg.stats.Connects++
	s.d.wg.Add(1)
	go s.writeLoop()
	s.d.log.Info("session connected", "session", s.pgroup, "remote", s.remote,
		"membership", s.membership, "priority", s.priority, "version", s.version)
	return nil
}

// endHandshake removes a session whose handshake failed.
func (q *sequencer) endHandshake(s *session, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.changed.notify()
	closing := s.state == stateDead // Close got there first
	if !closing {
		q.unlink(s, false)
	}
	var rj *rejection
	if errors.As(err, &rj) && rj.code != 0 {
		s.d.reg.stats.Rejected++
		s.d.reg.mon.countReject(rj.code)
		s.d.log.Warn("session rejected", "session", s.label(), "remote", s.remote,
			"code", wire.HandshakeCodeName(rj.code), "reason", rj.reason)
		return
	}
	if !closing {
		s.d.log.Info("handshake abandoned", "remote", s.remote, "reason", err.Error())
	}
}

// unlink forgets s and closes its connection: at once, or, when graceful
// and the writer runs, after the writer has written what is already queued
// (what the real daemon, which writes as soon as it orders, has written
// before it reads the client's KILL or EOF).
func (q *sequencer) unlink(s *session, graceful bool) {
	live := s.state == stateLive
	s.state = stateDead
	q.changed.notify()
	reg := &s.d.reg
	delete(reg.all, s)
	if s.name != "" && reg.byName[s.name] == s {
		delete(reg.byName, s.name)
	}
	if graceful && live {
		// The deadline bounds a write in progress too: a client that
		// stopped reading does not keep the connection open.
		s.conn.SetWriteDeadline(time.Now().Add(finishTimeout))
		if s.out.finish() {
			reg.finishing[s] = struct{}{}
			return
		}
	}
	s.close()
}

// remove ends a live session: the others see CAUSED_BY_DISCONNECT.
func (q *sequencer) remove(s *session, reason string, graceful bool) {
	q.lockOrdering(s.d) // a departure takes its place in the order
	q.removeLocked(s, reason, graceful)
	q.reap()
	q.mu.Unlock()
}

func (q *sequencer) removeLocked(s *session, reason string, graceful bool) {
	if s.state == stateDead {
		return
	}
	live := s.state == stateLive
	q.unlink(s, graceful)
	level := slog.LevelInfo
	if strings.HasPrefix(reason, "killed:") {
		level = slog.LevelWarn
		s.d.reg.stats.Kills++
	}
	s.d.log.Log(context.Background(), level, "session closed", "session", s.label(), "remote", s.remote, "reason", reason)
	if !live {
		return
	}
	names := make([]string, 0, len(s.groups))
	for n := range s.groups {
		names = append(names, n)
	}
	slices.Sort(names) // DISCONNECT messages go out in group-name order (capture 18_disconnect.txt)
	for _, n := range names {
		g := s.groups[n]
		g.remove(s)
		if len(g.members) == 0 {
			delete(s.d.comp.groups, n)
			continue
		}
		g.id.Index++
		q.membership(g, wire.CausedByDisconnect, s, nil)
	}
	s.groups = nil
}

// reap removes the sessions whose queues overflowed.
func (q *sequencer) reap() {
	for len(q.kills) > 0 {
		s := q.kills[len(q.kills)-1]
		q.kills = q.kills[:len(q.kills)-1]
		if s.state != stateDead {
			s.d.reg.mon.slowKills++
		}
		q.removeLocked(s, "killed: slow consumer: "+strconv.Itoa(s.d.cfg.MaxSessionMessages)+" messages queued (MaxSessionMessages)", false)
	}
}

// stopLocked closes every connection of node d and takes it out of its
// component; nobody on d is told (the real daemon just closes its sockets
// when it stops or crashes). The other nodes' membership changes are the
// caller's (reconfigure).
func (q *sequencer) stopLocked(d *Daemon) {
	d.reg.down, d.reg.downSince = true, time.Now()
	for s := range d.reg.all {
		q.unlink(s, false)
		s.groups = nil
	}
	// Their writers end on the closed connection or on done, which may be
	// before they report back (finished): forget them here.
	for s := range d.reg.finishing {
		s.close()
	}
	clear(d.reg.finishing)
	d.comp = nil
	q.changed.notify()
	d.setGate(false, false) // its readers and accepts wake to find it down
}

// finished forgets a session whose writer has closed it.
func (q *sequencer) finished(s *session) {
	q.mu.Lock()
	delete(s.d.reg.finishing, s)
	q.changed.notify()
	q.mu.Unlock()
}
