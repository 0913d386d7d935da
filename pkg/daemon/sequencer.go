package daemon

import (
	"sync"
	"sync/atomic"
)

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
