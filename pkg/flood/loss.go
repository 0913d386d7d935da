package flood

import "github.com/spgo/spgo/pkg/spread"

// The loss rules: what a receiver's check counts as lost. A complete run
// counts every message a local sender sent and a receiver lacks. An
// interrupted run's messages may still have been on their way: it counts
// only what can no longer arrive in the service's order (a gap below the
// highest message a receiver got from a sender, for the types that keep a
// sender's order). Remote senders (read-only) are known only by what
// arrived: a gap, unless the receiver has all that was expected. A
// receiver that departed in a fault counts only the gaps in what it got.

// sentTotal is what the senders sent: the local senders' messages, or in
// a read-only run what the remote senders are expected to send (with
// Duration, what RemoteSent said, else the most a receiver got).
func (f *flood) sentTotal() int64 {
	switch {
	case f.cfg.Mode == ModeReadOnly && f.cfg.Duration == 0:
		return int64(f.cfg.Count) * int64(f.cfg.RemoteSenders)
	case f.cfg.Mode == ModeReadOnly && f.expected.Load() != unknownCount:
		return f.expected.Load()
	case f.cfg.Mode == ModeReadOnly:
		var most int64
		for _, r := range f.receivers {
			most = max(most, r.count.Load())
		}
		return most
	}
	var n int64
	for _, s := range f.senders {
		n += int64(s.sent.Load())
	}
	return n
}

// lossReference is, per local sender, how many of its messages every
// receiver on side (0: when the ring did not split with senders on several
// sides) must have: all it sent; of a sender that departed in a fault,
// what reached a survivor on the side; of a sender on another side, what
// reached a receiver on this one, and with SAFE what any receiver got in
// the old view (sides.go). nil in a read-only run.
func (f *flood) lossReference(faults faultJudgement, side int) map[uint32]uint32 {
	if f.cfg.Mode == ModeReadOnly {
		return nil
	}
	sent := make(map[uint32]uint32, len(f.senders))
	for _, s := range f.senders {
		switch {
		case faults.senderDeparted(s):
			sent[s.idx] = f.reachedSide(s.idx, side)
		case s.side != side:
			sent[s.idx] = f.reachedSide(s.idx, side)
			if f.svc == spread.SafeMess {
				sent[s.idx] = max(sent[s.idx], f.oldViewReach(s.idx))
			}
		default:
			sent[s.idx] = s.sent.Load()
		}
	}
	return sent
}

// receiverCheck applies the loss rules to receiver r's check. sent is the
// lossReference, expected the run's sentTotal.
func (f *flood) receiverCheck(r *receiver, departed, interrupted bool, sent map[uint32]uint32, expected int64) Check {
	var chk Check
	switch {
	case departed:
		chk = r.check.Result(nil)
	case !interrupted:
		chk = r.check.Result(sent)
	case keepsSenderOrder(f.svc):
		chk = r.check.Result(nil) // gaps below the highest seen
	default:
		chk = r.check.Result(nil)
		chk.Lost = 0 // a gap may still be filled: the type may reorder
	}
	if f.cfg.Mode == ModeReadOnly && r.count.Load() >= expected {
		chk.Lost = 0 // the highest sequence seen is all we know
	}
	return chk
}

// keepsSenderOrder reports whether svc delivers each sender's messages in
// the order sent (FIFO and stronger), so a gap cannot be filled later.
func keepsSenderOrder(svc spread.ServiceType) bool {
	return svc != spread.UnreliableMess && svc != spread.ReliableMess
}
