package daemon

import "time"

// A frozen node is a daemon that stopped without dying (SIGSTOP, a paused
// virtual machine, a long pause of its process): it reads nothing from its
// clients and writes them nothing new, what they send waits in their
// sockets, and it accepts no connection. The others declare it gone as in
// a partition; it sees nothing of that. When it is thawed it learns it was
// left behind: its members get TRANSITION_MESS with the group id they had,
// and then the merge view, in which its side is a vs set of its own
// (capture 30_network_partition_merge.txt).

// Freeze stops node name as a stopped process stops: its clients are
// neither read nor written to (what they write waits, and so does what the
// node had ordered for them and not yet written; nothing is lost), and it
// accepts no connection. The members on the other nodes get
// TRANSITION_MESS and the CAUSED_BY_NETWORK view without it, as in a
// partition; the frozen node's own members get nothing while it is frozen.
//
// A frozen node may be crashed (it dies without waking: its clients are
// cut, the others saw it go already), and partitions and heals name it
// like any node (it takes its place in its component when thawed). It
// cannot be frozen again or restarted. What its clients wrote, the node
// orders once thawed, after the merge view; Sync does not wait for it.
func (r *Ring) Freeze(name string) error {
	return r.gateFault(name, true, func(d *Daemon) error {
		switch {
		case d.reg.down:
			return faultf("node %s is crashed: only a running node can be frozen (restart it first)", name)
		case d.frozen:
			return faultf("node %s is frozen already (thaw it first)", name)
		}
		return nil
	})
}

// Thaw wakes a frozen node: it writes its clients what it had ordered for
// them before the freeze, then its members get TRANSITION_MESS with the
// group id they had before the freeze, then every member of the component it
// comes back to gets the merge view (CAUSED_BY_NETWORK, one vs set per
// side; the others get no TRANSITION_MESS). Then the node orders what its
// clients wrote while it was frozen, in the merged view.
func (r *Ring) Thaw(name string) error {
	return r.gateFault(name, false, func(d *Daemon) error {
		switch {
		case d.reg.down:
			return faultf("node %s is crashed, not frozen (restart it)", name)
		case !d.frozen:
			return faultf("node %s is not frozen (freeze it first)", name)
		}
		return nil
	})
}

// gateFault freezes (freeze true) or thaws node name once refuse, given
// the node, finds nothing against it, and has the members follow: a
// freeze loses the node, a thaw merges it back.
func (r *Ring) gateFault(name string, freeze bool, refuse func(d *Daemon) error) error {
	return r.fault(func(q *sequencer) error {
		d, err := r.nodeLocked(name)
		if err != nil {
			return err
		}
		if err := refuse(d); err != nil {
			return err
		}
		d.setGate(freeze, false)
		if freeze {
			d.log.Warn("node frozen")
			q.reconfigure(faultLoses)
		} else {
			d.log.Info("node thawed")
			q.reconfigure(faultMerges)
		}
		return nil
	})
}

// Frozen names the frozen nodes, in configuration order.
func (r *Ring) Frozen() []string {
	q := r.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, d := range r.nodes {
		if d.frozen {
			out = append(out, d.cfg.Name)
		}
	}
	return out
}

// setGate sets frozen and stalled, waking what waits on either when one
// changes. Callers hold seq.mu.
func (d *Daemon) setGate(frozen, stalled bool) {
	if d.frozen == frozen && d.stalled == stalled {
		return
	}
	if d.frozen != frozen {
		d.haltWriters(frozen)
		if frozen {
			d.frozenSince = time.Now()
		}
	}
	d.frozen, d.stalled = frozen, stalled
	if d.gate != nil {
		close(d.gate)
		d.gate = nil
	}
}

// lockOrdering locks seq.mu for ordering something of a client of d: once
// d is neither frozen nor stalled.
func (q *sequencer) lockOrdering(d *Daemon) {
	q.mu.Lock()
	for d.frozen || d.stalled {
		q.awaitGate(d)
	}
}

// lockServing locks seq.mu for accepting or greeting a client of d: once
// d is not frozen.
func (q *sequencer) lockServing(d *Daemon) {
	q.mu.Lock()
	for d.frozen {
		q.awaitGate(d)
	}
}

// awaitGate waits, without seq.mu, for the next change of d's gate.
func (q *sequencer) awaitGate(d *Daemon) {
	if d.gate == nil {
		d.gate = make(chan struct{})
	}
	g := d.gate
	q.mu.Unlock()
	<-g
	q.mu.Lock()
}
