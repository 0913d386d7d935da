package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MaxRingNodes is the most nodes a ring may have: the real daemon's limit
// of daemons in one ring (MAX_PROCS_RING).
const MaxRingNodes = 128

// DefaultRingNodes is the size of a ring whose RingConfig gives neither
// Nodes nor Names.
const DefaultRingNodes = 3

// RingConfig describes a ring of named daemons (nodes) in one process.
type RingConfig struct {
	// Nodes is the number of nodes, 1..128. Default: len(Names), or 3.
	Nodes int
	// Names are the daemon names, one per node in configuration order.
	// Default d1..dN.
	Names []string
	// Node is what every node shares: Port (0 picks a free one),
	// SocketDir, the limits, Logger (each line gets the node's name),
	// NoTCP and NoUnixSocket. Name and Host must be empty: every node gets
	// its own.
	Node Config
	// PortPerNode puts every node on 127.0.0.1 with a port of its own
	// (Port, Port+1, ..., or free ports when Port is 0) instead of one port
	// on 127.0.0.K. It is chosen by itself when 127.0.0.2 cannot be bound
	// (systems where only 127.0.0.1 is loopback).
	PortPerNode bool
	// Timing is how long after a fault the members are told of it: at
	// once (the zero value), or as a real ring tells them (SpreadTiming).
	Timing FaultTiming
}

// Ring is a ring of nodes in one process: each node is a separate daemon
// to its clients (its own name, listeners and private groups #user#dK),
// groups span the nodes, and one sequencer puts everything in one total
// order. It is a test double, not a distributed daemon: there is no
// protocol between the nodes. Faults (Crash, Partition, Heal, Restart,
// Freeze, Thaw; Hold and Step to tell one in steps; RingConfig.Timing to
// tell them late, as a real ring does) give the clients the memberships a
// real ring of that many daemons gives. Sync is the barrier that orders
// what clients have written before a fault. Its methods are safe for
// concurrent use.
type Ring struct {
	seq      *sequencer
	nodes    []*Daemon
	dirs     []string // socket directories the ring created, removed at Close
	portEach bool

	faultMu   sync.Mutex // one fault at a time (a restart listens outside seq.mu)
	closeOnce sync.Once
	closeErr  error
}

// ErrRingStopped is wrapped by the error of a fault on a closed ring.
var ErrRingStopped = errors.New("ring is stopped")

// FaultError reports a fault that cannot be applied (an unknown node, a
// partition that leaves a node out, a stopped ring); nothing has changed.
type FaultError struct {
	Msg string
	Err error // ErrRingStopped, or nil
}

func (e *FaultError) Error() string { return "daemon: " + e.Msg }
func (e *FaultError) Unwrap() error { return e.Err }

func faultf(format string, a ...any) error { return &FaultError{Msg: fmt.Sprintf(format, a...)} }

// NodeError reports a node that could not listen, at start or restart.
type NodeError struct {
	Node string
	Op   string // "start (node 2 of 3)", "restart"
	Err  error
}

func (e *NodeError) Error() string {
	return "daemon: node " + e.Node + ": " + e.Op + ": " + strings.TrimPrefix(e.Err.Error(), "daemon: ")
}
func (e *NodeError) Unwrap() error { return e.Err }

// StartRing starts every node of the ring, listening, all in one
// component. It fails, with nothing left running, when a node cannot
// listen.
func StartRing(cfg RingConfig) (*Ring, error) {
	names, err := cfg.names()
	if err != nil {
		return nil, err
	}
	if cfg.Node.Name != "" || cfg.Node.Host != "" {
		return nil, configErrorf("RingConfig.Node sets Name %q / Host %q: every node of a ring gets its own (RingConfig.Names; 127.0.0.K)", cfg.Node.Name, cfg.Node.Host)
	}
	base := cfg.Node
	base.Name = names[0]
	if base, err = base.withDefaults(); err != nil {
		return nil, err
	}
	if err := cfg.Timing.check(); err != nil {
		return nil, err
	}
	r, err := startRing(base, names, cfg.PortPerNode)
	if err != nil && !cfg.PortPerNode && errors.Is(err, syscall.EADDRNOTAVAIL) {
		r, err = startRing(base, names, true)
	}
	if err == nil {
		r.seq.timing = cfg.Timing
	}
	return r, err
}

// names validates Nodes and Names and returns the node names.
func (cfg RingConfig) names() ([]string, error) {
	n := cfg.Nodes
	if n == 0 {
		n = len(cfg.Names)
	}
	if n == 0 {
		n = DefaultRingNodes
	}
	if n < 1 || n > MaxRingNodes {
		return nil, configErrorf("ring of %d nodes, allowed 1..%d (the real daemon's limit of daemons in one ring)", n, MaxRingNodes)
	}
	if len(cfg.Names) != 0 && len(cfg.Names) != n {
		return nil, configErrorf("%d names for %d nodes: give one name per node, or none for d1..d%d", len(cfg.Names), n, n)
	}
	names := cfg.Names
	if len(names) == 0 {
		for k := 1; k <= n; k++ {
			names = append(names, "d"+strconv.Itoa(k))
		}
	}
	seen := map[string]bool{}
	for _, name := range names {
		if err := checkDaemonName(name); err != nil {
			return nil, err
		}
		if seen[name] {
			return nil, configErrorf("node name %q given twice, each node needs its own", name)
		}
		seen[name] = true
	}
	return names, nil
}

// startRing listens for every node in turn.
func startRing(base Config, names []string, portEach bool) (*Ring, error) {
	r := &Ring{portEach: portEach}
	nodes := make([]*Daemon, len(names))
	port := base.Port
	for k, name := range names {
		c := base
		c.Name = name
		c.Logger = base.Logger.With("node", name)
		c.Host = "127.0.0." + strconv.Itoa(k+1)
		c.Port = port
		if portEach {
			c.Host = DefaultHost
			if port != 0 {
				c.Port = port + k
			}
		} else if k > 0 && !c.NoUnixSocket {
			// One port for all: the other nodes' sockets need a directory each.
			dir := filepath.Join(base.SocketDir, "spgo-ring-"+name)
			created, err := socketDir(dir)
			if err != nil {
				r.abort(nodes[:k])
				return nil, &NodeError{Node: name, Op: "socket directory", Err: err}
			}
			if created {
				r.dirs = append(r.dirs, dir)
			}
			c.SocketDir = dir
		}
		d := newNode(c, int32(0x7f000000|(k+1)))
		d.ring = r
		if err := d.listen(); err != nil {
			d.closeListeners()
			r.abort(nodes[:k])
			return nil, &NodeError{Node: name, Op: fmt.Sprintf("start (node %d of %d)", k+1, len(names)), Err: err}
		}
		d.cfg.Port = d.port // a restart listens on the same port
		if k == 0 && !portEach {
			port = d.port
		}
		nodes[k] = d
	}
	r.nodes = nodes
	r.seq = newSequencer(nodes, nodes[0].start)
	for _, d := range nodes {
		d.serve()
	}
	return r, nil
}

// socketDir makes dir for a node's socket, or accepts it if it is already
// a directory of this user's (not a link, nothing someone else could swap
// the socket in); created says whether Close should remove it.
func socketDir(dir string) (created bool, err error) {
	if err := os.Mkdir(dir, 0o755); err == nil {
		return true, nil
	} else if !errors.Is(err, os.ErrExist) {
		return false, err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return false, err
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("%s exists and is not a directory (mode %v); remove it or choose another SocketDir", dir, fi.Mode())
	}
	if uid, other := ownedByOther(fi); other {
		return false, fmt.Errorf("%s belongs to user %d, not to this one; remove it or choose another SocketDir", dir, uid)
	}
	return false, nil
}

// abort closes what a failed start opened.
func (r *Ring) abort(nodes []*Daemon) {
	for _, d := range nodes {
		d.closeListeners()
		d.removeOwnSocket()
	}
	r.removeDirs()
}

func (r *Ring) removeDirs() {
	for _, dir := range r.dirs {
		os.Remove(dir) // only if empty: a socket someone else put there stays
	}
}

// Nodes returns the nodes in configuration order (d1 first).
func (r *Ring) Nodes() []*Daemon { return slices.Clone(r.nodes) }

// PortPerNode reports whether every node has a port of its own on
// 127.0.0.1 rather than one port on 127.0.0.K.
func (r *Ring) PortPerNode() bool { return r.portEach }

// Node returns the node with the given daemon name, or nil.
func (r *Ring) Node(name string) *Daemon {
	for _, d := range r.nodes {
		if d.cfg.Name == name {
			return d
		}
	}
	return nil
}

// names lists the node names, for error messages.
func (r *Ring) names() string {
	s := make([]string, len(r.nodes))
	for i, d := range r.nodes {
		s[i] = d.cfg.Name
	}
	return strings.Join(s, ", ")
}

// faultableLocked says why no fault can be applied now, if so.
func (r *Ring) faultableLocked() error {
	if r.seq.closed {
		return &FaultError{Msg: "ring is stopped: no faults", Err: ErrRingStopped}
	}
	return r.seq.pendingErr()
}

// nodeLocked finds a node for a fault; the caller holds faultMu and seq.mu.
func (r *Ring) nodeLocked(name string) (*Daemon, error) {
	if err := r.faultableLocked(); err != nil {
		return nil, err
	}
	d := r.Node(name)
	if d == nil {
		return nil, faultf("unknown node %q, the nodes are %s", name, r.names())
	}
	return d, nil
}

// fault applies f with the fault lock and the sequencer's lock held, once
// nothing stands in the way of a fault (faultableLocked).
func (r *Ring) fault(f func(q *sequencer) error) error {
	r.faultMu.Lock()
	defer r.faultMu.Unlock()
	q := r.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	if err := r.faultableLocked(); err != nil {
		return err
	}
	return f(q)
}

// Crash stops node name as a crashing daemon stops: its listeners close,
// its sessions are cut (their members are not told of a disconnect), and
// the members on the nodes it was connected to get TRANSITION_MESS and
// then the CAUSED_BY_NETWORK view without it.
//
// When Crash returns, the node's clients are cut and every member has
// been sent its views (with RingConfig.Timing, after FaultTiming.Notice;
// Settled says when); what the node had read before is ordered before
// them. Bytes its clients wrote that it had not read yet are lost, as they
// are when a real daemon crashes, and bytes other clients wrote but their
// nodes had not read yet are ordered after the fault: call Sync first to
// put what was written before the crash ahead of it.
func (r *Ring) Crash(name string) error {
	return r.fault(func(q *sequencer) error {
		d, err := r.nodeLocked(name)
		if err != nil {
			return err
		}
		if d.reg.down {
			return faultf("node %s is already crashed (restart it first)", name)
		}
		d.closeListeners()
		q.stopLocked(d)
		d.removeOwnSocket()
		q.reconfigure(faultLoses)
		d.log.Warn("node crashed")
		return nil
	})
}

// Restart starts a crashed node again on its addresses: it joins the
// component the current partition puts it in, with no groups of its own,
// so existing groups see no change until its clients join them.
//
// When Restart returns the node listens again; clients connecting after
// it are in the node's component (with RingConfig.Timing, in one of its
// own until FaultTiming.Merge has passed). What other clients wrote before but
// their nodes had not read yet is ordered after the restart: call Sync
// first to order it before.
func (r *Ring) Restart(name string) error {
	r.faultMu.Lock()
	defer r.faultMu.Unlock()
	q := r.seq
	q.mu.Lock()
	d, err := r.nodeLocked(name)
	switch {
	case err != nil:
	case d.frozen:
		err = faultf("node %s is frozen, not crashed (thaw it, or crash it first)", name)
	case !d.reg.down:
		err = faultf("node %s is running (crash it first)", name)
	}
	q.mu.Unlock()
	if err != nil {
		return err
	}
	if err := d.listen(); err != nil {
		d.closeListeners()
		return &NodeError{Node: name, Op: "restart", Err: err}
	}
	q.mu.Lock()
	d.reg.down, d.start = false, time.Now()
	// A restarted daemon first forms a configuration of its own, with no
	// groups; then it merges with the nodes it reaches.
	trans, _ := newTimes([]*Daemon{d}, int32(time.Now().Unix()))
	(&component{id: membID{proc: d.proc, time: trans}, nodes: []*Daemon{d}, groups: map[string]*group{}}).install()
	q.reconfigure(faultMerges)
	q.mu.Unlock()
	d.serve()
	return nil
}

// Partition splits the ring into the given components, each a list of
// node names; every node is named exactly once (crashed ones too: they
// rejoin their component when restarted). Each component goes on alone:
// its members get TRANSITION_MESS and the view of their component, and no
// message crosses between components. Components that come together get
// the merge view, one vs set per side.
//
// When Partition returns every member has been sent its views (unless a
// Hold holds them, or RingConfig.Timing delays them: see FaultTiming), and every message read afterwards is ordered in the
// reader's new component. A message a client wrote before the call is
// ordered in the old configuration only if its node had read it: Flush
// promises the bytes were written, not read. Call Sync before Partition
// to order everything written before it in the configuration it was
// written in.
func (r *Ring) Partition(components ...[]string) error {
	return r.fault(func(q *sequencer) error {
		names := make([]string, len(r.nodes))
		for i, d := range r.nodes {
			names[i] = d.cfg.Name
		}
		part, problem := SplitNodes(names, components)
		switch {
		case problem == nil:
		case problem.Empty > 0:
			return faultf("partition component %d is empty; every component names at least one node", problem.Empty)
		case problem.Unknown != "":
			return faultf("partition names unknown node %q, the nodes are %s", problem.Unknown, r.names())
		case problem.Twice != "":
			return faultf("partition names node %s twice; name every node exactly once", problem.Twice)
		default:
			return faultf("partition leaves out %s; name every node exactly once (nodes: %s)", strings.Join(problem.Missing, ", "), r.names())
		}
		q.part = part
		q.reconfigure(faultLoses)
		return nil
	})
}

// Heal ends any partition: the running nodes come together in one
// component (the merge view, one vs set per side that was apart; with
// RingConfig.Timing, after FaultTiming.Heal).
//
// As with Partition, a message written before Heal but not yet read by its
// node is ordered in the merged component, after the merge view: call Sync
// before Heal to have each side's messages delivered on that side, before
// the merge.
func (r *Ring) Heal() error {
	return r.fault(func(q *sequencer) error {
		clear(q.part)
		q.reconfigure(faultHeals)
		return nil
	})
}

// Hold makes the next fault wait after its immediate effect (a crashed
// node's clients are cut; nobody else is told yet) until Step is called,
// once to put the members in their transitional configuration
// (TRANSITION_MESS) and once more to install the new views
// (CAUSED_BY_NETWORK). Messages ordered before a step are delivered
// before what it tells, to the members of the configuration then in
// force: what a real ring does with messages it had ordered before it
// noticed a crash, and with SAFE messages it could not make safe before
// the new view (delivered in the transitional configuration, capture
// 37_ring_crash_safe_in_transition.txt). Other faults are refused while
// one waits.
//
// Hold itself orders nothing; a held fault's steps are in the order at the
// moment each Step returns, as an unheld fault is when it returns.
// Messages written before a step and not yet read are ordered after it
// unless Sync was called in between.
func (r *Ring) Hold() error {
	return r.fault(func(q *sequencer) error {
		if err := q.holdErr(); err != nil {
			return err
		}
		q.hold = true
		return nil
	})
}

// Step tells the members the next part of a held fault (see Hold) and
// reports whether the fault is now complete.
func (r *Ring) Step() (done bool, err error) {
	r.faultMu.Lock()
	defer r.faultMu.Unlock()
	q := r.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false, &FaultError{Msg: "ring is stopped: no faults", Err: ErrRingStopped}
	}
	if q.pend == nil || !q.pend.held {
		return false, faultf("step: no fault is held; first hold, then a fault (crash, restart, partition, heal, freeze or thaw), then step")
	}
	return q.stepHeld(), nil
}

// Layout returns the components of running nodes (node names in
// configuration order) as their members were last told of them, and the
// crashed nodes. Frozen nodes are in neither (see Frozen).
func (r *Ring) Layout() (components [][]string, crashed []string) {
	q := r.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	var seen []*component
	for _, d := range r.nodes {
		if d.frozen {
			continue
		}
		if d.comp == nil {
			crashed = append(crashed, d.cfg.Name)
			continue
		}
		if i := indexOf(seen, d.comp); i >= 0 {
			components[i] = append(components[i], d.cfg.Name)
			continue
		}
		seen = append(seen, d.comp)
		components = append(components, []string{d.cfg.Name})
	}
	return components, crashed
}

// Held names where a held fault is (see Hold and Step): "next" (Hold, no
// fault yet), "unnoticed" (applied, nobody told), "transitional"
// (TRANSITION_MESS told, the new view not yet); "" when none is held.
func (r *Ring) Held() string {
	q := r.seq
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.hold:
		return "next"
	case q.pend == nil || !q.pend.held:
		return ""
	case q.pend.stage == 0:
		return "unnoticed"
	}
	return "transitional"
}

func indexOf(cs []*component, c *component) int {
	for i, x := range cs {
		if x == c {
			return i
		}
	}
	return -1
}

// Close stops every node (clients see their connections close), removes
// the sockets and directories the ring created, and returns when every
// goroutine has ended. It is idempotent; faults after it fail.
func (r *Ring) Close() error {
	r.closeOnce.Do(func() {
		r.faultMu.Lock()
		defer r.faultMu.Unlock()
		q := r.seq
		for _, d := range r.nodes {
			d.closeListeners()
		}
		q.mu.Lock()
		q.closed = true
		for _, d := range r.nodes {
			q.stopLocked(d)
		}
		if q.pend != nil {
			q.settle()
		}
		q.mu.Unlock()
		for _, d := range r.nodes {
			d.wg.Wait()
			if err := d.removeOwnSocket(); err != nil && r.closeErr == nil {
				r.closeErr = err
			}
			d.log.Info("daemon stopped", "name", d.cfg.Name)
		}
		r.removeDirs()
	})
	return r.closeErr
}

// Ring returns the ring node d belongs to, or nil for a daemon started
// with Start.
func (d *Daemon) Ring() *Ring { return d.ring }
