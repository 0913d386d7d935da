package flood

import (
	"bytes"

	"github.com/spgo/spgo/pkg/spread"
)

// receive is a receiver's loop: it checks and times every data message
// and follows the group's membership, until its session is closed. The
// per-message path is this loop and record, kept free of allocations and
// interface calls: its cost bounds the rate a flood can measure.
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
			f.receiverLost(r, err)
			return
		}
		if rm.Read {
			now = f.nanos()
		}
		if !rm.Service.IsRegular() || rm.MsgType == echoType {
			joined = f.control(r, &rm, now, joined)
			continue
		}
		_, seq, sent, ok := readHeader(rm.Data)
		if !ok {
			r.short++
			continue
		}
		// Consecutive messages mostly come from one sender: compare with
		// the last one's name before looking it up.
		id := lastID
		if name := rm.Sender(); len(lastName) == 0 || !bytes.Equal(name, lastName) {
			var known bool
			if id, known = r.senderID(name); !known {
				continue
			}
			lastName, lastID = append(lastName[:0], name...), id
		}
		f.record(r, &rm, id, seq, now-sent, now)
		if n := r.count.Add(1); n >= exp {
			if exp = f.expected.Load(); n >= exp && !r.done {
				r.done = true
				f.signal()
			}
		}
	}
}

// senderID is the id of the sender with private name name. Senders are
// told apart by their private names: sender indexes in payloads are only
// unique within one process. A read-only receiver numbers each new
// sender; any other counts a stranger's message as foreign and skips it.
func (r *receiver) senderID(name []byte) (uint32, bool) {
	if id, known := r.ids[string(name)]; known {
		return id, true
	}
	if !r.remote {
		r.foreign++ // a sender outside this flood
		return 0, false
	}
	id := uint32(len(r.ids))
	r.ids[string(name)] = id
	return id, true
}

// record counts data message rm, sequence number seq from sender id,
// delivered now after latency lat: it answers the sender if asked to
// (acknowledgement, round-trip echo), checks the order, times it, and
// moves the sender's window on.
func (f *flood) record(r *receiver, rm *spread.RawMessage, id, seq uint32, lat, now int64) {
	if ae := f.cfg.AckEvery; ae > 0 && !r.echo && (seq%uint32(ae) == uint32(ae)-1 || int(seq)+1 == f.cfg.Count) {
		_ = r.mb.Multicast(f.svc, string(rm.Sender()), rm.Data[:PayloadHeader], ackType)
	}
	if !r.echo && sampled(seq, f.cfg.RTTEvery) {
		// Echo the header to the sender; a failure shows as this
		// session's next receive error.
		_ = r.mb.Multicast(f.svc, string(rm.Sender()), rm.Data[:PayloadHeader], echoType)
	}
	r.check.Observe(id, seq)
	_ = r.hist.RecordValue(min(max(lat, histMin), histMax))
	r.bytes += int64(len(rm.Data))
	if r.first == 0 {
		r.first = now
	} else if gap := now - r.last; gap > r.maxGap {
		r.maxGap = gap
	}
	r.last = now
	if int(id) < len(r.from) {
		r.from[id].Add(1)
	}
	if !r.remote && int(id) < len(r.progress) {
		p := &r.progress[id]
		if seq+1 > p.Load() {
			p.Store(seq + 1)
		}
		if s := f.senders[id]; s.want.Load() != 0 && s.want.Load()-1 <= seq+1 {
			select {
			case s.wake <- struct{}{}:
			default:
			}
		}
	}
}

// control handles what is not a data message: a round-trip echo to a
// write-only sender's session, a rejected message, or a membership. It
// reports whether the receiver has joined the group.
func (f *flood) control(r *receiver, rm *spread.RawMessage, now int64, joined bool) bool {
	switch {
	case rm.Service.IsRegular(): // an echo to this sender's private group
		if r.owner != nil {
			r.owner.recordEcho(rm.Sender(), rm.Data, now)
			f.signal()
		}
	case rm.Service.IsReject():
		r.rejects++
	case f.membership(r, rm, joined) && !joined:
		close(r.joined)
		return true
	}
	return joined
}

// receiverLost ends a receiver whose session returned err: unless the
// flood closed it, the error is kept, and a session lost to its daemon
// departs (with its sender, in a write-only run).
func (f *flood) receiverLost(r *receiver, err error) {
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
