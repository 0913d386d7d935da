package flood

import (
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/spgo/spgo/pkg/spread"
)

// receiver is one receiving session (or, in write-only runs, a sender's
// own session reading its echoes: echo is then true and it only feeds the
// window).
type receiver struct {
	mb     *spread.Mailbox
	name   string
	daemon string // as dialled
	echo   bool

	// progress[s] is one past the highest sequence number of local sender
	// s delivered here; senders read it for their window.
	progress []atomic.Uint32
	count    atomic.Int64 // data messages delivered
	// from[s] counts the messages of local sender s delivered here.
	from   []atomic.Int64
	joined chan struct{}
	done   bool // reached the expected count (signalled once)
	dead   atomic.Bool

	// Owned by the receiving goroutine until it has exited.
	check   *Checker
	hist    *hdrhistogram.Histogram
	bytes   int64
	first   int64 // unix nanos of the first and last delivery
	last    int64
	err     error
	rejects int64
	short   int64
	// owner is the sender whose session this is (write-only echo
	// receivers), which times the round-trip echoes read here.
	owner *sender
	// ids maps senders' private names to indexes: the local senders'
	// (their index) and, in read-only runs (remote), each new one seen.
	ids     map[string]uint32
	remote  bool
	foreign int64 // messages from senders outside this flood
	// Faults: the transitional and network memberships seen, when the
	// session was lost to its daemon (unix nanos; 0: it was not), and
	// the longest time between two deliveries.
	views  []viewEvent
	goneAt int64
	maxGap int64
	// view is the members of the last network membership, set by the
	// receiving goroutine for the senders' windows (nil: none yet).
	view atomic.Pointer[map[string]bool]
	// apart: at the end, a partition had left it on a side without a
	// live sender; side: on the side numbered so, from 1, of a partition
	// with senders on several sides (markSides).
	apart bool
	side  int
	// oldNext[s] is one past the highest sequence number of local sender
	// s delivered before the first view change (nil: none came).
	oldNext []uint32
}

// sender is one sending session.
type sender struct {
	mb     *spread.Mailbox
	name   string
	daemon string // as dialled
	idx    uint32
	// sources are the receivers whose progress bounds this sender's window.
	sources []*receiver
	sent    atomic.Uint32
	// want is the progress the sender waits for plus one (0: not waiting).
	want atomic.Uint32
	wake chan struct{}

	begin, end time.Time
	err        error
	finished   atomic.Bool // set after end and err

	// Round trips, recorded by the one goroutine that reads this session
	// (its echo receiver, or readOwn): by echoing receiver, and the echoes
	// counted for the supervisor.
	rtt    map[string]*hdrhistogram.Histogram
	echoes atomic.Int64

	// viewSeen is the flood's: set once any receiver got a network
	// membership.
	viewSeen *atomic.Bool

	// Remote receivers' acknowledgements (Config.RemoteReceivers): one
	// past the highest sequence number each acknowledged.
	remote int // how many to wait for; 0: none
	ackMu  sync.Mutex
	acks   map[string]uint32
	acked  atomic.Int64 // acknowledgements received (progress)

	// gone is set once the session was lost to its daemon, noticed by the
	// goroutine that reads it (goneErr, goneAt are set before).
	gone    atomic.Bool
	goneErr error
	goneAt  int64
	// side is the side of a partition it ended on (markSides).
	side int
}

// remoteProgress is the slowest remote receiver's acknowledged progress:
// 0 until every one of them has acknowledged something.
func (s *sender) remoteProgress() (uint32, bool) {
	s.ackMu.Lock()
	defer s.ackMu.Unlock()
	if len(s.acks) < s.remote {
		return 0, true
	}
	var lo uint32
	first := true
	for _, p := range s.acks {
		if first || p < lo {
			lo, first = p, false
		}
	}
	return lo, true
}

// recordAck notes receiver from's acknowledgement in data and wakes the
// sender if it waits for its window.
func (s *sender) recordAck(from []byte, data []byte) {
	_, seq, _, ok := readHeader(data)
	if !ok {
		return
	}
	s.ackMu.Lock()
	if seq+1 > s.acks[string(from)] {
		s.acks[string(from)] = seq + 1
	}
	s.ackMu.Unlock()
	s.acked.Add(1)
	if w := s.want.Load(); w != 0 {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// lead is the live source furthest ahead with s's messages: whatever a
// partition did, it is on s's side. nil when no source has seen a network
// membership (no partition to care about).
func (s *sender) lead() *receiver {
	if s.viewSeen == nil || !s.viewSeen.Load() {
		return nil // the common case, checked once per message
	}
	var lead *receiver
	partitioned := false
	for _, r := range s.sources {
		if r.dead.Load() {
			continue
		}
		partitioned = partitioned || r.view.Load() != nil
		if lead == nil || r.progress[s.idx].Load() > lead.progress[s.idx].Load() {
			lead = r
		}
	}
	if !partitioned {
		return nil
	}
	return lead
}

// apartFrom reports whether r is outside the last network view of lead
// (another component of a partitioned ring).
func (r *receiver) apartFrom(lead *receiver) bool {
	if lead == nil || lead == r {
		return false
	}
	v := lead.view.Load()
	return v != nil && !(*v)[r.name]
}

// markGone records that the session was lost to its daemon and wakes the
// sender if it waits for its window.
func (s *sender) markGone(err error, now int64) {
	if s.gone.Load() {
		return
	}
	s.goneErr, s.goneAt = err, now
	s.gone.Store(true)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// recordEcho times the echo in data, received now, from receiver from.
func (s *sender) recordEcho(from []byte, data []byte, now int64) bool {
	_, _, sent, ok := readHeader(data)
	if !ok {
		return false
	}
	h := s.rtt[string(from)]
	if h == nil {
		h = newHistogram()
		s.rtt[string(from)] = h
	}
	_ = h.RecordValue(min(max(now-sent, histMin), histMax))
	s.echoes.Add(1)
	return true
}

// minProgress is the slowest live source's progress for s, leaving out
// sources a partition put apart from s (apartFrom).
func (s *sender) minProgress() (uint32, bool) {
	if s.remote > 0 {
		return s.remoteProgress()
	}
	var lo uint32
	any := false
	lead := s.lead()
	for _, r := range s.sources {
		if r.dead.Load() || r.apartFrom(lead) {
			continue
		}
		p := r.progress[s.idx].Load()
		if !any || p < lo {
			lo, any = p, true
		}
	}
	return lo, any
}
