package flood

import (
	"bytes"

	"github.com/spgo/spgo/pkg/spread"
)

// receive is a receiver's loop: it checks and times every data message
// and follows the group's membership, until its session is closed.
func (f *flood) receive(r *receiver) {
	defer f.wg.Done()
	var rm spread.RawMessage
	exp := f.expected.Load()
	joined := false
	var lastName []byte // the latest known sender's name, and its id
	var lastID uint32
	// now is when the latest read from the connection returned. Frames
	// already whole in the buffer came with that read, at that instant,
	// so the clock is read once per read, not once per message. Frames
	// already buffered before the loop began are timed from its start.
	now := f.nanos()
	for {
		if err := r.mb.ReceiveRaw(&rm); err != nil {
			if !f.closing.Load() {
				r.err = err
				if departed(err) {
					r.goneAt = f.nanos()
					if r.owner != nil {
						r.owner.markGone(err, r.goneAt)
					}
				}
			}
			r.dead.Store(true)
			f.wakeSenders()
			f.signal()
			return
		}
		if rm.Read {
			now = f.nanos()
		}
		switch {
		case rm.Service.IsRegular() && rm.MsgType == echoType:
			// A round-trip echo to this sender's private group.
			if r.owner != nil {
				r.owner.recordEcho(rm.Sender(), rm.Data, now)
				f.signal()
			}
			continue
		case rm.Service.IsRegular():
		case rm.Service.IsReject():
			r.rejects++
			continue
		default:
			if f.membership(r, &rm, joined) && !joined {
				joined = true
				close(r.joined)
			}
			continue
		}
		_, seq, sent, ok := readHeader(rm.Data)
		if !ok {
			r.short++
			continue
		}
		// Senders are told apart by their private names: sender indexes in
		// payloads are only unique within one process.
		// Consecutive messages mostly come from one sender: compare with
		// the last one's name before hashing it.
		id := lastID
		if name := rm.Sender(); len(lastName) == 0 || !bytes.Equal(name, lastName) {
			var known bool
			if id, known = r.ids[string(name)]; !known {
				if !r.remote {
					r.foreign++ // a sender outside this flood
					continue
				}
				id = uint32(len(r.ids))
				r.ids[string(name)] = id
			}
			lastName, lastID = append(lastName[:0], name...), id
		}
		idx := id
		if ae := f.cfg.AckEvery; ae > 0 && !r.echo && (seq%uint32(ae) == uint32(ae)-1 || int(seq)+1 == f.cfg.Count) {
			_ = r.mb.Multicast(f.svc, string(rm.Sender()), rm.Data[:PayloadHeader], ackType)
		}
		if !r.echo && sampled(seq, f.cfg.RTTEvery) {
			// Echo the header to the sender; a failure shows as this
			// session's next receive error.
			_ = r.mb.Multicast(f.svc, string(rm.Sender()), rm.Data[:PayloadHeader], echoType)
		}
		r.check.Observe(idx, seq)
		lat := now - sent
		lat = min(max(lat, histMin), histMax)
		_ = r.hist.RecordValue(lat)
		r.bytes += int64(len(rm.Data))
		if r.first == 0 {
			r.first = now
		} else if gap := now - r.last; gap > r.maxGap {
			r.maxGap = gap
		}
		if int(idx) < len(r.from) {
			r.from[idx].Add(1)
		}
		r.last = now
		if !r.remote && int(idx) < len(r.progress) {
			p := &r.progress[idx]
			if seq+1 > p.Load() {
				p.Store(seq + 1)
			}
			if s := f.senders[idx]; s.want.Load() != 0 && s.want.Load()-1 <= seq+1 {
				select {
				case s.wake <- struct{}{}:
				default:
				}
			}
		}
		n := r.count.Add(1)
		if n >= exp {
			if exp = f.expected.Load(); n >= exp && !r.done {
				r.done = true
				f.signal()
			}
		}
	}
}

// readOwn reads a sender's own session, which gets nothing but the
// round-trip echoes sent to its private group, until it is closed; a
// session lost to its daemon is noticed here, also while the sender waits
// for its window.
func (f *flood) readOwn(s *sender) {
	defer f.wg.Done()
	var rm spread.RawMessage
	for {
		if err := s.mb.ReceiveRaw(&rm); err != nil {
			if !f.closing.Load() && departed(err) {
				s.markGone(err, f.nanos())
				f.signal()
			}
			return // the sender's own loop reports the error
		}
		switch {
		case !rm.Service.IsRegular():
		case rm.MsgType == echoType:
			s.recordEcho(rm.Sender(), rm.Data, f.nanos())
			f.signal()
		case rm.MsgType == ackType && s.remote > 0:
			s.recordAck(rm.Sender(), rm.Data)
			f.signal()
		}
	}
}

// membership handles a membership message; it reports whether it is the
// receiver's own join of the group.
func (f *flood) membership(r *receiver, rm *spread.RawMessage, joined bool) bool {
	msg, err := rm.Message()
	if err != nil {
		return false
	}
	m, ok := msg.(*spread.MembershipMessage)
	if !ok || m.Group != f.group {
		return false
	}
	if joined && r.recordView(m, f.nanos()) {
		if m.Cause == spread.CauseNetwork {
			f.viewSeen.Store(true)
			f.wakeSenders() // their windows may no longer wait for receivers apart
		}
		f.signal()
	}
	if !m.Service.IsRegMemb() {
		return false
	}
	if n := int32(len(m.Members)); n > f.members.Load() {
		f.members.Store(n)
		select {
		case f.memberCh <- struct{}{}:
		default:
		}
	}
	return m.IndexOf(r.name) >= 0
}

// signal wakes the supervisor.
func (f *flood) signal() {
	select {
	case f.doneCh <- struct{}{}:
	default:
	}
}

// wakeSenders lets senders recheck their windows (a receiver died).
func (f *flood) wakeSenders() {
	for _, s := range f.senders {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}
