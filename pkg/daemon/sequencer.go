package daemon

import (
	"sync"
	"sync/atomic"
	"time"
)

// sequencer is the single total order of a ring (a daemon started with
// Start is a ring of one node): one mutex under which every message, join,
// leave and disconnect of every session of every node, and every fault, is
// applied and its frames appended to the recipients' queues. Because a
// step appends all consequences of a request before the next request is
// taken, all recipients on all nodes see one order. There is no protocol
// between nodes: this is a test double of a ring, not a distributed daemon.
type sequencer struct {
	mu sync.Mutex

	nodes  []*Daemon          // in configuration order (d1, d2, ...)
	byName map[string]*Daemon // nodes by daemon name, for private groups
	part   []int              // the component each node belongs to (Partition), by node index
	closed bool               // the ring has stopped: no faults, no restarts

	// hold: the next change waits until Step tells it (Ring.Hold).
	hold bool
	// pend is the change the members have not been told of in full yet
	// (held, or waiting for its delay); nil when none.
	pend   *pendingChange
	timing FaultTiming

	epoch   uint64
	scratch []byte     // membership frames are built here
	kills   []*session // queues overflowed during the current step
	// flushes, during a reader's step, collects the sessions it queued
	// frames for (flushEp marks them once per step); nil otherwise.
	flushes *[]*session
	flushEp uint64
	// shared, while a large data message is queued, holds its one copy.
	shared *sharedFrame
	// changed wakes what waits for the nodes' state to move on.
	changed changes
}

// newSequencer orders for the given nodes, all up, in one component
// formed at start.
func newSequencer(nodes []*Daemon, start time.Time) *sequencer {
	q := &sequencer{nodes: nodes, byName: make(map[string]*Daemon, len(nodes)), part: make([]int, len(nodes))}
	t := int32(start.Unix())
	c := &component{id: membID{proc: nodes[0].proc, time: t}, nodes: nodes, groups: make(map[string]*group)}
	for i, d := range nodes {
		d.seq, d.idx, d.comp, d.lastTime = q, i, c, t
		q.byName[d.cfg.Name] = d
	}
	return q
}

// registry is one node's sessions and counters, owned by the sequencer's
// mutex (waits excepted).
type registry struct {
	down bool // crashed or stopped: connections are refused
	// downSince is when down was last set, for Status.DownSince.
	downSince time.Time
	all       map[*session]struct{} // every connection, handshakes included
	// finishing are removed sessions whose writer still writes their last
	// messages; Close cuts them short.
	finishing map[*session]struct{}
	byName    map[string]*session // reserved and live sessions by private name
	nextID    uint64

	stats Stats
	mon   monCounters   // what only monitoring reads (status.go)
	waits atomic.Uint64 // Stats.SenderWaits, counted outside mu
}

func (g *registry) init() {
	g.all = make(map[*session]struct{})
	g.finishing = make(map[*session]struct{})
	g.byName = make(map[string]*session)
}
