package daemon

import "time"

// A membership change (what a fault calls for) is told to the members at
// once, in steps (Ring.Hold, Ring.Step), or after the delay a real ring
// takes to notice the fault (FaultTiming). Until it has been told in full
// it is pending, and a fault meanwhile folds into it: the members are told
// once, of both, as a real ring that has not re-formed yet tells them
// (docs/protocol.md §7.3).

// FaultTiming is how long after a fault a ring tells the members of it.
// The zero value tells at once (the default). SpreadTiming is what a real
// Spread 4.4 ring takes with its default timeouts.
//
// While a change waits, the nodes whose ring lost a member (a crash, a
// partition, a freeze) order nothing of their clients': what the clients
// send meanwhile waits and is delivered after the new view, as on a real
// ring that has lost its token. Nodes that only gain members (a heal, a
// thaw, a restart) go on in their old views until the merge.
type FaultTiming struct {
	// Notice is the delay of a crash, partition or freeze: how long the
	// others take to declare the lost nodes gone (TRANSITION_MESS and the
	// network view).
	Notice time.Duration
	// Merge is the delay of a thaw or a restart: how long the node takes
	// to join the others again (the merge view).
	Merge time.Duration
	// Heal is the delay of a heal: how long the sides take to find each
	// other again (the merge view).
	Heal time.Duration
	// Fold is how long after a crash, partition or freeze another one
	// still folds into the pending change without delaying it: until then
	// the ring has not noticed the first. A later one catches the ring
	// re-forming, and the wait starts again (Notice from the later fault).
	Fold time.Duration
}

// faultKind is what a fault does to the ring, which says its delay.
type faultKind int

const (
	faultLoses  faultKind = iota // crash, partition, freeze
	faultMerges                  // thaw, restart
	faultHeals                   // heal
)

// delay is how long after a fault of kind k the members are told of it.
func (t FaultTiming) delay(k faultKind) time.Duration {
	switch k {
	case faultMerges:
		return t.Merge
	case faultHeals:
		return t.Heal
	}
	return t.Notice
}

// Defaults of a real Spread 4.4 ring on one network (its "local" timeouts,
// docs/protocol.md §7.3), as SpreadTiming returns them.
const (
	// SpreadNotice is Token_timeout (1.25 s), then Seg_timeout (0.5 s), then
	// Gather_timeout (1.25 s): a crash or a freeze reached a listener on
	// another daemon of a real ring 2.6-3.0 s after the signal (captures
	// 34, 40, 41, 43).
	SpreadNotice = 3 * time.Second
	// SpreadMerge is Seg_timeout (0.5 s) and Gather_timeout (1.25 s): a real
	// ring of one segment per daemon, as the captures' and this ring's,
	// merged 1.75-1.84 s after a frozen daemon continued (capture 41); one
	// whose daemons share a segment took 2.4 s.
	SpreadMerge = 1750 * time.Millisecond
	// SpreadHeal is Lookup_timeout: after a partition ends, nothing crosses
	// until the leader of a side probes the daemons it misses, every 30 s.
	SpreadHeal = 30 * time.Second
	// SpreadFold is Token_timeout: a second crash 1.0 s after the first
	// was told with it, at the first's time (capture 43); one 2.8 s after
	// it, when the ring was forming, 3.9 s after the second (capture 44).
	SpreadFold = 1250 * time.Millisecond
)

// SpreadTiming is the timing of a real Spread 4.4 ring with default
// timeouts.
func SpreadTiming() FaultTiming {
	return FaultTiming{Notice: SpreadNotice, Merge: SpreadMerge, Heal: SpreadHeal, Fold: SpreadFold}
}

// check refuses a negative delay.
func (t FaultTiming) check() error {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Notice", t.Notice}, {"Merge", t.Merge}, {"Heal", t.Heal}, {"Fold", t.Fold}} {
		if d.v < 0 {
			return configErrorf("FaultTiming.%s %v is negative: give 0 (at once) or a delay", d.name, d.v)
		}
	}
	return nil
}

// pendingChange is a change the members have not been told of in full.
type pendingChange struct {
	held     bool    // told by Step (Hold), not by the timer
	views    []*view // planned by the first Step
	stage    int     // held: 0 nobody told, 1 transitional configurations told
	timer    *time.Timer
	loses    bool      // some node was lost: the ring is re-forming
	start    time.Time // of the change, for Fold
	deadline time.Time
	done     chan struct{} // closed once told in full, or at Close
}

// reconfigure makes the members follow the fault of kind k just applied:
// at once, held (after Hold), or after its delay. A fault while a change
// is pending folds into it (see fold).
func (q *sequencer) reconfigure(k faultKind) {
	delay := q.timing.delay(k)
	if p := q.pend; p != nil {
		if !p.held {
			q.stall()
			q.fold(p, k, delay)
		}
		return
	}
	hold := q.hold
	q.hold = false
	switch {
	case len(q.wanted()) == 0:
	case !hold && delay <= 0:
		q.tell(q.wanted())
	default:
		p := &pendingChange{held: hold, done: make(chan struct{})}
		q.pend = p
		if !hold {
			q.stall()
			p.loses, p.start = k == faultLoses, time.Now()
			p.deadline = p.start.Add(delay)
			ring := q.nodes[0].ring
			p.timer = time.AfterFunc(delay, func() { ring.expire(p) })
		}
	}
}

// fold puts a fault of kind k into the timed change p: it is told when
// the earlier of the two is due, except that a loss after p's Fold window
// catches a ring re-forming after a loss, which starts its wait again
// (capture 44_ring_cascade_crash_late.txt), and that a fault within the
// window that leaves nothing to tell (a node thawed before the token
// timeout) ends the change at once: the ring only stalled.
func (q *sequencer) fold(p *pendingChange, k faultKind, delay time.Duration) {
	now := time.Now()
	due := now.Add(delay)
	early := now.Sub(p.start) < q.timing.Fold
	again := k == faultLoses && p.loses && !early
	p.loses = p.loses || k == faultLoses
	switch {
	case again:
		p.start = now // a further loss soon after this one folds into it
	case early && len(q.wanted()) == 0:
		due = now
	}
	if (again || due.Before(p.deadline)) && p.timer.Stop() {
		p.deadline = due
		p.timer.Reset(due.Sub(now))
	}
}

// expire tells a timed change whose delay has passed, then lets the
// stalled nodes go on one by one in configuration order, each ordering
// what its clients had sent meanwhile before the next: a re-formed ring
// delivers the backlog daemon by daemon (capture
// 46_ring_crash_sends_in_window.txt). No fault comes in between.
func (r *Ring) expire(p *pendingChange) {
	r.faultMu.Lock()
	defer r.faultMu.Unlock()
	q := r.seq
	q.mu.Lock()
	if q.pend != p {
		q.mu.Unlock()
		return // the ring closed
	}
	q.tell(q.wanted())
	var stalled []*Daemon
	for _, d := range q.nodes {
		if d.stalled {
			stalled = append(stalled, d)
		}
	}
	q.mu.Unlock()
	for _, d := range stalled {
		acks, _ := q.requestSync(d)
		q.mu.Lock()
		d.setGate(d.frozen, false)
		q.mu.Unlock()
		awaitAcks(acks, releaseWait)
	}
	q.mu.Lock()
	if q.pend == p {
		q.settle()
	}
	q.mu.Unlock()
}

// releaseWait bounds how long a released node's readers may take to order
// their backlog before the next node goes on (a reader held back by a
// slow receiver may take up to stallTimeout).
const releaseWait = 2 * stallTimeout

// awaitAcks waits for every ack, at most for d in all.
func awaitAcks(acks []chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for _, ack := range acks {
		select {
		case <-ack:
		case <-t.C:
			return
		}
	}
}

// stall stops the nodes whose component lost a node from ordering their
// clients' messages until the pending change is told: the one rule of
// where messages sent while a change waits are delivered (docs/protocol.md
// §7.3).
func (q *sequencer) stall() {
	for _, d := range q.nodes {
		if !d.reg.down && !d.frozen && q.lostNode(d) {
			d.setGate(false, true)
		}
	}
}

// lostNode reports whether a node of d's installed component is gone from
// it: crashed, frozen, in another component, or cut off by the partition.
func (q *sequencer) lostNode(d *Daemon) bool {
	for _, n := range d.comp.nodes {
		if n.comp != d.comp || n.frozen || q.part[n.idx] != q.part[d.idx] {
			return true
		}
	}
	return false
}

// settle ends the pending change: the stalled nodes go on, Settled's
// channel closes.
func (q *sequencer) settle() {
	p := q.pend
	q.pend = nil
	if p.timer != nil {
		p.timer.Stop()
	}
	close(p.done)
	for _, d := range q.nodes {
		d.setGate(d.frozen, false)
	}
}

// stepHeld tells the next part of the held change and reports whether it
// is now told in full. The views are planned at the first step, so that
// faults folded in before it are in them.
func (q *sequencer) stepHeld() (done bool) {
	q.changed.notify()
	p := q.pend
	if p.stage == 0 {
		p.views = q.planAll(q.wanted())
		for _, v := range p.views {
			q.transitionalStep(v)
		}
		q.reap()
		p.stage = 1
		if len(p.views) > 0 {
			return false
		}
	} else {
		for _, v := range p.views {
			q.regularStep(v)
		}
		q.reap()
	}
	q.settle()
	return true
}

// Settled returns a channel that is closed once no membership change is
// pending: at once when none is, else when the pending one (held, or
// waiting for its FaultTiming delay) has been told in full, or the ring
// closes. Tests wait on it instead of sleeping.
func (r *Ring) Settled() <-chan struct{} {
	q := r.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pend == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	return q.pend.done
}

// pendingErr refuses a fault that cannot fold into the pending change.
func (q *sequencer) pendingErr() error {
	if p := q.pend; p != nil && p.held && p.stage > 0 {
		return faultf("a held fault is in its transitional configuration: step it to its end first (Step, spgo daemon ctl step)")
	}
	return nil
}

// holdErr refuses a Hold while a change is pending.
func (q *sequencer) holdErr() error {
	p := q.pend
	switch {
	case p == nil:
		return nil
	case p.held:
		return faultf("hold: a held fault is waiting already: step it to its end first (Step, spgo daemon ctl step)")
	}
	return faultf("hold: a change is pending for %v more: wait for it (Ring.Settled), then hold", time.Until(p.deadline).Round(time.Millisecond))
}
