package daemon

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// daemonProcID is group_id.memb_id.proc_id: the daemon's IPv4 address as an
// int, 127.0.0.1 as in every capture (§7.2).
const daemonProcID int32 = 0x7f000001

// membershipBodyLen is the body of a lightweight membership message: one
// vs set of one name (§7.2).
const membershipBodyLen = 56

// sequencer is the single total order: one mutex under which every
// message, join, leave and disconnect of every session is applied and its
// frames appended to the recipients' queues. Because a step appends all
// consequences of a request before the next request is taken, all
// recipients see one order.
type sequencer struct {
	d  *Daemon
	mu sync.Mutex

	closed bool
	all    map[*session]struct{} // every connection, handshakes included
	// finishing are removed sessions whose writer still writes their last
	// messages; Close cuts them short.
	finishing map[*session]struct{}
	byName    map[string]*session // reserved and live sessions by private name
	groups    map[string]*group
	nextID    uint64

	memTime int32 // group_id.memb_id.time: the daemon's start (s)
	epoch   uint64
	scratch []byte     // membership frames are built here
	kills   []*session // queues overflowed during the current step

	stats Stats
	waits atomic.Uint64 // Stats.SenderWaits, counted outside mu
}

func (q *sequencer) init(d *Daemon) {
	q.d = d
	q.all = make(map[*session]struct{})
	q.finishing = make(map[*session]struct{})
	q.byName = make(map[string]*session)
	q.groups = make(map[string]*group)
	q.memTime = int32(d.start.Unix())
}

// accept registers a new connection (quota permitting) and starts its
// reader goroutine.
func (d *Daemon) accept(conn net.Conn) {
	q := &d.seq
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		conn.Close()
		return
	}
	q.nextID++
	id := q.nextID
	if len(q.all) >= d.cfg.MaxSessions {
		q.stats.Rejected++
		d.wg.Add(1) // under mu: Close cannot be waiting yet
		q.mu.Unlock()
		d.log.Warn("session rejected", "remote", remoteOf(conn), "code", "REJECT_QUOTA",
			"reason", "too many sessions", "max_sessions", d.cfg.MaxSessions)
		go d.rejectQuota(conn)
		return
	}
	s := newSession(d, conn, id)
	q.all[s] = struct{}{}
	d.wg.Add(1)
	q.mu.Unlock()
	go s.run()
}

// rejectQuota sends 0xfd before reading anything and closes (§4.3 step 1).
func (d *Daemon) rejectQuota(conn net.Conn) {
	defer d.wg.Done()
	conn.SetWriteDeadline(time.Now().Add(time.Second))
	conn.Write([]byte{codeQuota})
	conn.Close()
}

// reserve gives s its private name (inventing one for an empty name) or
// rejects a name in use, by live or authenticating sessions (§4.3 step 8).
func (q *sequencer) reserve(s *session, name string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if s.state != stateHandshake {
		return &rejection{reason: "daemon closing"}
	}
	if name == "" {
		for name = inventName(s.id); q.byName[name] != nil; name = inventName(s.id) {
		}
	} else if q.byName[name] != nil {
		return reject(codeNotUnique, "private name %q is in use", name)
	}
	s.name = name
	s.pgroup = "#" + name + "#" + q.d.cfg.Name
	s.pfield = wire.MakeName(s.pgroup)
	s.state = stateReserved
	q.byName[name] = s
	return nil
}

// goLive makes s addressable and starts its writer.
func (q *sequencer) goLive(s *session) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if s.state != stateReserved {
		return &rejection{reason: "daemon closing"}
	}
	s.state = stateLive
	s.groups = make(map[string]*group)
	q.stats.Connects++
	q.d.wg.Add(1)
	go s.writeLoop()
	q.d.log.Info("session connected", "session", s.pgroup, "remote", s.remote,
		"membership", s.membership, "priority", s.priority)
	return nil
}

// endHandshake removes a session whose handshake failed.
func (q *sequencer) endHandshake(s *session, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if s.state == stateDead {
		return
	}
	q.unlink(s, false)
	var rj *rejection
	if errors.As(err, &rj) && rj.code != 0 {
		q.stats.Rejected++
		q.d.log.Warn("session rejected", "session", s.label(), "remote", s.remote,
			"code", codeName(rj.code), "reason", rj.reason)
		return
	}
	q.d.log.Info("handshake abandoned", "remote", s.remote, "reason", err.Error())
}

// unlink forgets s and closes its connection: at once, or, when graceful
// and the writer runs, after the writer has written what is already queued
// (what the real daemon, which writes as soon as it orders, has written
// before it reads the client's KILL or EOF).
func (q *sequencer) unlink(s *session, graceful bool) {
	live := s.state == stateLive
	s.state = stateDead
	delete(q.all, s)
	if s.name != "" && q.byName[s.name] == s {
		delete(q.byName, s.name)
	}
	if graceful && live {
		q.finishing[s] = struct{}{}
		s.out.finish()
		return
	}
	s.close()
}

// remove ends a live session: the others see CAUSED_BY_DISCONNECT.
func (q *sequencer) remove(s *session, reason string, graceful bool) {
	q.mu.Lock()
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
		q.stats.Kills++
	}
	q.d.log.Log(context.Background(), level, "session closed", "session", s.label(), "remote", s.remote, "reason", reason)
	if !live {
		return
	}
	names := make([]string, 0, len(s.groups))
	for n := range s.groups {
		names = append(names, n)
	}
	slices.Sort(names) // DISCONNECT messages go out in group-name order (cap 18)
	for _, n := range names {
		g := s.groups[n]
		g.remove(s)
		if len(g.members) == 0 {
			delete(q.groups, n)
			continue
		}
		g.index++
		q.membership(g, wire.CausedByDisconnect, s, nil)
	}
	s.groups = nil
}

// reap removes the sessions whose queues overflowed.
func (q *sequencer) reap() {
	for len(q.kills) > 0 {
		s := q.kills[len(q.kills)-1]
		q.kills = q.kills[:len(q.kills)-1]
		q.removeLocked(s, "killed: slow consumer: "+strconv.Itoa(q.d.cfg.MaxSessionMessages)+" messages queued (MaxSessionMessages)", false)
	}
}

// shutdown closes every connection; nobody is told (the real daemon just
// closes its sockets when it stops).
func (q *sequencer) shutdown() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	for s := range q.all {
		q.unlink(s, false)
	}
	for s := range q.finishing {
		s.close()
	}
}

// send queues frame for r, noting a full queue for reap and a congested
// one for the sender's back-pressure.
func (q *sequencer) send(r *session, frame []byte, cong *[]*session) {
	if r.doomed {
		return
	}
	n, stalled, ok := r.out.enqueue(frame, q.d.cfg.MaxSessionMessages)
	if !ok {
		r.doomed = true
		q.kills = append(q.kills, r)
		return
	}
	q.stats.MessagesOut++
	if cong != nil && !stalled && n > q.d.cfg.MaxSessionMessages/2 && !slices.Contains(*cong, r) {
		*cong = append(*cong, r)
	}
}

// step applies the frames of one read of s in order. It reports whether s
// is still live.
func (q *sequencer) step(s *session, frames []inFrame, cong *[]*session) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i := range frames {
		if s.state != stateLive || s.doomed {
			break
		}
		f := &frames[i]
		q.stats.MessagesIn++
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
	return s.state == stateLive
}

// data delivers one message once to every recipient (§7.1, §8.1).
func (q *sequencer) data(s *session, f *inFrame, cong *[]*session) {
	q.epoch++
	ep := q.epoch
	if f.h.Type&wire.SelfDiscard != 0 {
		s.mark = ep
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
			if !ok || string(proc) != q.d.cfg.Name {
				continue
			}
			r := q.byName[string(priv)]
			if r == nil || r.state != stateLive || r.mark == ep {
				continue
			}
			r.mark = ep
			q.send(r, f.b, cong)
			continue
		}
		g := q.groups[string(name)]
		if g == nil {
			continue
		}
		for _, r := range g.members {
			if r.mark != ep {
				r.mark = ep
				q.send(r, f.b, cong)
			}
		}
	}
}

// join adds s to the first group named (§6.1); a second join is ignored.
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
	g := q.groups[name]
	if g == nil {
		g = &group{name: name, field: wire.MakeName(name)}
		q.groups[name] = g
	}
	g.index++
	g.add(s)
	s.groups[name] = g
	q.membership(g, wire.CausedByJoin, s, cong)
}

// leave removes s from the first group named (§6.2); not a member: ignored.
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
		delete(q.groups, g.name)
	} else {
		g.index++
		q.membership(g, wire.CausedByLeave, s, cong)
	}
	if s.membership {
		// Self-leave (§7.4): CAUSED_BY_LEAVE alone, no members, no body.
		h := wire.Header{Type: wire.CausedByLeave, Sender: g.field, Hint: wire.EndianMarker}
		q.scratch = wire.AppendHeader(q.scratch[:0], &h)
		q.send(s, q.scratch, nil)
	}
}

// membership sends a lightweight REG_MEMB_MESS about g, whose view has just
// changed by one member, to the members that asked for membership messages
// (§7.2): members sorted bytewise, group id, one vs set with the changed
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
	b = wire.AppendGroupID(b, wire.GroupID{ProcID: daemonProcID, Time: q.memTime, Index: g.index})
	le := binary.LittleEndian
	b = le.AppendUint32(b, 1) // num_vs_sets
	b = le.AppendUint32(b, 0) // local_vs_set_offset
	b = le.AppendUint32(b, 1) // the set's count
	b = append(b, changed.pfield[:]...)
	q.scratch = b
	for _, m := range g.members {
		if m.membership {
			q.send(m, b, cong)
		}
	}
}

// throttle is the back-pressure of a sender whose last step (messages,
// joins, leaves) filled other sessions' queues past half of
// MaxSessionMessages: it waits (not holding
// the sequencer) until they drain to a quarter, end, or stall.
func (q *sequencer) throttle(cong []*session) {
	for _, r := range cong {
		// s itself too: a client that requests faster than it reads the
		// consequences is slowed down (until it stalls) rather than killed.
		q.waits.Add(1)
		r.waitBelow(q.d.cfg.MaxSessionMessages / 4)
	}
}

// remoteOf names the peer in log lines: "ip:port" for TCP, "unix:<socket
// path>" for a Unix-socket client (which has no address), "pipe" for
// net.Pipe.
func remoteOf(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil && a.String() != "" && a.String() != "@" && a.Network() != "pipe" {
		return a.String()
	}
	if a := c.LocalAddr(); a != nil && a.Network() == "unix" {
		return "unix:" + a.String()
	}
	if a := c.LocalAddr(); a != nil && a.Network() == "pipe" {
		return "pipe"
	}
	return "local"
}

func codeName(c byte) string {
	switch c {
	case codeQuota:
		return "REJECT_QUOTA"
	case codeIllegalName:
		return "REJECT_ILLEGAL_NAME"
	case codeNotUnique:
		return "REJECT_NOT_UNIQUE"
	case codeVersion:
		return "REJECT_VERSION"
	case codeAuth:
		return "REJECT_AUTH"
	}
	return "0x" + strconv.FormatUint(uint64(c), 16)
}

// finished forgets a session whose writer has closed it.
func (q *sequencer) finished(s *session) {
	q.mu.Lock()
	delete(q.finishing, s)
	q.mu.Unlock()
}
