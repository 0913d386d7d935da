package flood

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/spgo/spgo/pkg/spread"
)

// Run floods cfg.Daemon with each service type of cfg.Services in turn and
// returns the results. Setup failures (bad config, no daemon) are errors;
// trouble during a flood (a client cut off, loss) is reported in the
// results' warnings. When ctx ends, Run stops and returns what it has with
// ctx's error.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	res := &Results{
		Daemon: cfg.Daemon, Group: cfg.Group, Size: cfg.Size, Count: cfg.Count, Duration: cfg.Duration,
		Senders: cfg.Senders, Receivers: cfg.Receivers, Window: max(cfg.Window, 0), Rate: cfg.Rate, RTTEvery: cfg.RTTEvery,
		SendersAt: cfg.SenderDaemons, ReceiversAt: cfg.ReceiverDaemons,
		Started: time.Now(),
	}
	for i, svc := range cfg.Services {
		sr, err := runService(ctx, cfg, i, svc, cfg.ServiceGroup(svc))
		if sr != nil {
			res.Services = append(res.Services, *sr)
			res.ReadBatch = max(res.ReadBatch, sr.readBatch)
		}
		if err != nil {
			return res, err
		}
		if sr != nil && sr.DaemonLost {
			// The next service type could only fail to connect; say what
			// really happened instead.
			return res, ErrDaemonLost
		}
	}
	return res, nil
}

// clock is the time messages are stamped and timed by: the wall clock read
// once when the flood began, advanced by the monotonic clock since. That
// is one clock read where time.Now makes two (wall and monotonic), paid
// per message, and a step of the wall clock during a run cannot show as
// latency. Across machines it is as good as their wall clocks' agreement
// at the start.
func (f *flood) clock() time.Time { return f.epoch.Add(time.Since(f.epoch)) }

// nanos is clock in Unix nanoseconds, as payloads carry it: the message
// loops read it per message or per read, and skip time.Time's arithmetic.
func (f *flood) nanos() int64 { return f.epochNanos + int64(time.Since(f.epoch)) }

// flood is the shared state of one service type's flood.
type flood struct {
	cfg       Config
	batched   int // the read batch the receivers applied (batchReads)
	svc       spread.ServiceType
	group     string
	index     int
	receivers []*receiver // reporting receivers
	echoes    []*receiver // write-only: senders' own sessions
	senders   []*sender

	// epoch anchors clock; set before any goroutine starts.
	epoch      time.Time
	epochNanos int64 // epoch.UnixNano()
	start      chan struct{}
	startTime  time.Time
	abort      chan struct{}
	closing    atomic.Bool
	members    atomic.Int32 // most members seen in the group
	memberCh   chan struct{}
	// expected is the number of deliveries each receiver waits for
	// (MaxInt64 until the senders finished in duration mode).
	expected atomic.Int64
	doneCh   chan struct{} // a receiver reached expected, or died
	// What the survivors had of departed senders' messages, and since
	// when (survivorsAgreeOnDeparted).
	departedSeen  int64
	departedSince time.Time
	viewSeen      atomic.Bool // a receiver got a network membership
	// sideMembers are the last network memberships of the sides of a
	// partition with senders on several sides (markSides).
	sideMembers [][]string
	wg          sync.WaitGroup
}

func runService(ctx context.Context, cfg Config, index int, svc spread.ServiceType, group string) (*ServiceResult, error) {
	f := &flood{
		cfg: cfg, svc: svc, group: group, index: index,
		start: make(chan struct{}), abort: make(chan struct{}),
		memberCh: make(chan struct{}, 1), doneCh: make(chan struct{}, cfg.Receivers+cfg.Senders+1),
		epoch: time.Now(),
	}
	f.epochNanos = f.epoch.UnixNano()
	f.expected.Store(unknownCount)
	if cfg.Count > 0 {
		senders := cfg.Senders
		if cfg.Mode == ModeReadOnly {
			senders = cfg.RemoteSenders
		}
		f.expected.Store(int64(cfg.Count) * int64(senders))
	}
	defer f.shutdown()
	if err := f.connect(ctx); err != nil {
		return nil, err
	}
	if cfg.Ready != nil {
		cfg.Ready()
	}
	if err := f.waitMembers(ctx); err != nil {
		return nil, err
	}
	f.startTime = f.clock()
	close(f.start)
	warnings, interrupted := f.supervise(ctx)
	f.markSides()
	f.shutdown()
	sr := f.collect(interrupted, warnings)
	sr.readBatch = f.batched
	return sr, ctx.Err()
}

// connect opens every session and joins the group; it returns once every
// member's own join has come back (so the daemon delivers anything sent
// from now on to all of them).
func (f *flood) connect(ctx context.Context) error {
	cfg := f.cfg
	clients := 0
	dial := func(daemon string, membership bool) (*spread.Mailbox, error) {
		opts := append([]spread.Option{spread.WithMembership(membership)}, cfg.Options...)
		clients++
		if cfg.Name != "" && cfg.Senders+cfg.Receivers == 1 {
			opts = append(opts, spread.WithName(cfg.Name))
		} else if cfg.Name != "" {
			opts = append(opts, spread.WithName(cfg.Name+strconv.Itoa(clients)))
		}
		mb, err := spread.ConnectContext(ctx, daemon, opts...)
		if err != nil {
			return nil, fmt.Errorf("flood: connecting to %s: %w", daemon, err)
		}
		return mb, nil
	}
	newRecv := func(mb *spread.Mailbox, echo bool) *receiver {
		r := &receiver{mb: mb, name: mb.PrivateGroup(), echo: echo, joined: make(chan struct{}),
			progress: make([]atomic.Uint32, cfg.Senders), from: make([]atomic.Int64, cfg.Senders),
			check: NewChecker(), hist: newHistogram()}
		r.ids, r.remote = make(map[string]uint32), cfg.Mode == ModeReadOnly
		return r
	}
	var members []*receiver
	for i := range cfg.Receivers {
		at := cfg.ReceiverDaemons[i%len(cfg.ReceiverDaemons)]
		mb, err := dial(at, true)
		if err != nil {
			return err
		}
		r := newRecv(mb, false)
		r.daemon = at
		f.receivers = append(f.receivers, r)
		members = append(members, r)
	}
	for i := range cfg.Senders {
		echo := cfg.Mode == ModeWriteOnly // count our own echoes
		at := cfg.SenderDaemons[i%len(cfg.SenderDaemons)]
		mb, err := dial(at, echo)
		if err != nil {
			return err
		}
		s := &sender{mb: mb, name: mb.PrivateGroup(), daemon: at, idx: uint32(i), wake: make(chan struct{}, 1),
			rtt: make(map[string]*hdrhistogram.Histogram), viewSeen: &f.viewSeen,
			remote: cfg.RemoteReceivers, acks: make(map[string]uint32)}
		if echo {
			r := newRecv(mb, true)
			r.owner, r.daemon = s, at
			f.echoes = append(f.echoes, r)
			members = append(members, r)
			s.sources = []*receiver{r}
		} else {
			s.sources = f.receivers
		}
		f.senders = append(f.senders, s)
	}
	for _, r := range members {
		for _, s := range f.senders {
			r.ids[s.name] = s.idx
		}
	}
	for _, r := range members {
		if err := r.mb.Join(f.group); err != nil {
			return fmt.Errorf("flood: joining %s: %w", f.group, err)
		}
		f.wg.Add(1)
		go f.receive(r)
	}
	for _, s := range f.senders {
		f.wg.Add(1)
		go f.send(s)
		if len(s.sources) == 0 || !s.sources[0].echo { // write-only: the echo receiver reads the session
			f.wg.Add(1)
			go f.readOwn(s)
		}
	}
	for _, r := range members {
		select {
		case <-r.joined:
		case <-f.doneCh: // a receiver died before its join came back
			if r.dead.Load() && r.err != nil {
				return fmt.Errorf("flood: waiting for the join of %s: %w", r.name, r.err)
			}
			return fmt.Errorf("flood: a session was lost while joining %s", f.group)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.batchReads() // after the joins, which should not wait for a batch
	return nil
}

// waitMembers blocks until the group has cfg.WaitMembers members
// (spflooder -n).
func (f *flood) waitMembers(ctx context.Context) error {
	for int(f.members.Load()) < f.cfg.WaitMembers {
		select {
		case <-f.memberCh:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// supervise waits until every receiver has everything, the flood stalls
// or ctx ends, calling cfg.Progress on the way. It returns warnings about
// how the flood ended, and whether ctx ended it.
func (f *flood) supervise(ctx context.Context) (warnings []string, interrupted bool) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastTotal int64 = -1
	lastChange := time.Now()
	sendersDone := false
	remoteSent := f.cfg.RemoteSent // nil: never ready
	for {
		if !sendersDone && f.sendersFinished() {
			sendersDone = true
			if f.cfg.Duration > 0 && f.cfg.Mode != ModeReadOnly {
				var total int64
				for _, s := range f.senders {
					total += int64(s.sent.Load())
				}
				f.expected.Store(total)
			}
		}
		if f.allReceived() {
			return warnings, false
		}
		select {
		case <-ctx.Done():
			return warnings, true
		case <-f.doneCh:
		case n := <-remoteSent:
			f.expected.Store(n)
			remoteSent = nil
		case <-tick.C:
			total, sent := f.totals()
			if f.cfg.Progress != nil {
				f.cfg.Progress(Progress{Service: ServiceName(f.svc), Index: f.index, Delivered: total, Expected: f.expectedDeliveries(), Sent: sent})
			}
			if moved := total + sent + f.echoTotal() + f.ackTotal(); moved != lastTotal {
				lastTotal, lastChange = moved, time.Now()
			} else if time.Since(lastChange) >= f.cfg.Stall {
				return append(warnings, fmt.Sprintf("stalled: nothing sent or delivered for %s; stopped with %d of %d deliveries",
					f.cfg.Stall, total, f.expectedDeliveries())), false
			}
		}
	}
}

// unknownCount is expected until the count is known: in a Duration run
// until the senders finish (or, read-only, until RemoteSent says).
const unknownCount = 1<<63 - 1

// expectedDeliveries is what every receiver together waits for; -1 while
// that is not known yet.
func (f *flood) expectedDeliveries() int64 {
	exp := f.expected.Load()
	if exp == unknownCount {
		return -1
	}
	return exp * int64(len(f.reporting()))
}

func (f *flood) sendersFinished() bool {
	for _, s := range f.senders {
		if !s.finished.Load() {
			return false
		}
	}
	return true
}

// allReceived: every live receiver (echo sessions included) has the
// expected count, and the senders are done.
func (f *flood) allReceived() bool {
	if !f.sendersFinished() {
		return false
	}
	if f.cfg.Mode == ModeWriteAcked {
		return f.allAcked()
	}
	exp := f.expected.Load()
	anyGone := f.anyGone()
	for _, r := range append(f.receivers, f.echoes...) {
		if r.dead.Load() {
			continue
		}
		if r.view.Load() != nil { // after a network membership: per sender, on its side only
			for _, s := range f.senders {
				if !s.gone.Load() && !r.apartFrom(s.lead()) && r.from[s.idx].Load() < int64(s.sent.Load()) {
					return false
				}
			}
			continue
		}
		if !anyGone {
			if r.count.Load() < exp {
				return false
			}
			continue
		}
		// A departed sender's messages are not waited for: what it got
		// into the ring reaches every survivor (survivorsAgreeOnDeparted).
		for _, s := range f.senders {
			if !s.gone.Load() && r.from[s.idx].Load() < int64(s.sent.Load()) {
				return false
			}
		}
	}
	return f.allEchoed() && (!anyGone || f.survivorsAgreeOnDeparted())
}

// allAcked: every remote receiver has acknowledged every message of every
// live sender.
func (f *flood) allAcked() bool {
	for _, s := range f.senders {
		if s.gone.Load() {
			continue
		}
		s.ackMu.Lock()
		n, done := len(s.acks), true
		for _, p := range s.acks {
			done = done && p >= s.sent.Load()
		}
		s.ackMu.Unlock()
		if n < s.remote || !done {
			return false
		}
	}
	return f.allEchoed()
}

// allEchoed: every sender has the echo of each of its samples from every
// live local receiver. Not waited for when echoes may be lost (UNRELIABLE)
// or come from receivers elsewhere (write-only).
func (f *flood) allEchoed() bool {
	if f.cfg.RTTEvery <= 0 || len(f.receivers) == 0 || f.svc == spread.UnreliableMess {
		return true
	}
	live := int64(0)
	for _, r := range f.receivers {
		if !r.dead.Load() {
			live++
		}
	}
	for _, s := range f.senders {
		if s.gone.Load() {
			continue // its last samples may never have reached anyone
		}
		if s.echoes.Load() < samplesIn(s.sent.Load(), f.cfg.RTTEvery)*live {
			return false
		}
	}
	return true
}

// reporting are the receivers whose deliveries are measured: the
// receivers, or in write-only runs the senders' own sessions (echoes).
func (f *flood) reporting() []*receiver {
	if len(f.receivers) == 0 {
		return f.echoes
	}
	return f.receivers
}

// reportingRole is the role of the reporting receivers' results.
func (f *flood) reportingRole() Role {
	if len(f.receivers) == 0 {
		return RoleSenderEchoes
	}
	return RoleReceiver
}

func (f *flood) totals() (delivered, sent int64) {
	for _, r := range f.reporting() {
		delivered += r.count.Load()
	}
	for _, s := range f.senders {
		sent += int64(s.sent.Load())
	}
	return delivered, sent
}

// ackTotal is the acknowledgements the senders have had.
func (f *flood) ackTotal() (n int64) {
	for _, s := range f.senders {
		n += s.acked.Load()
	}
	return n
}

// echoTotal is the round-trip echoes the senders have had.
func (f *flood) echoTotal() (n int64) {
	for _, s := range f.senders {
		n += s.echoes.Load()
	}
	return n
}

// shutdown stops senders and closes every session; idempotent.
func (f *flood) shutdown() {
	if f.closing.Swap(true) {
		return
	}
	close(f.abort)
	select {
	case <-f.start:
	default:
		close(f.start) // senders waiting for the signal see abort
	}
	for _, r := range f.receivers {
		_ = r.mb.Disconnect()
	}
	for _, s := range f.senders {
		_ = s.mb.Disconnect()
	}
	f.wg.Wait()
}

// ErrDaemonLost ends a run whose every client lost its connection: the
// daemon went away. The results gathered until then are still returned.
var ErrDaemonLost = errors.New("flood: the daemon went away during the run (every client lost its connection)")

// allLost reports whether every sender and reporting receiver ended with
// CONNECTION_CLOSED that this flood did not cause by disconnecting.
func (f *flood) allLost() bool {
	var errs []error
	for _, s := range f.senders {
		errs = append(errs, s.err)
	}
	for _, r := range f.reporting() {
		errs = append(errs, r.err)
	}
	for _, err := range errs {
		if err == nil || !errors.Is(err, spread.ErrConnectionClosed) || errors.Is(err, spread.ErrDisconnected) {
			return false
		}
	}
	return len(errs) > 0
}
