package flood

import (
	"errors"
	"slices"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// A fault is a daemon that crashed or a ring that split or merged while a
// flood ran. Receivers see it as a transitional membership and a network
// membership of the flood's group; the sessions on a crashed daemon lose
// their connection. A flood with a fault is judged among the survivors:
// the sessions still connected at the end; when a partition left senders
// on more than one side, each side among its own (sides.go).

// Fault kinds as FaultEvent.Kind reports them.
const (
	FaultTransitional = "transitional" // TRANSITION_MESS: the view is about to change
	FaultNetwork      = "network"      // CAUSED_BY_NETWORK: the new view after a crash, partition or merge
	FaultDeparted     = "departed"     // a session of this flood lost its daemon
	FaultApart        = "apart"        // a receiver a partition left without the senders' messages
)

// FaultEvent is one thing a fault did, as this flood saw it.
type FaultEvent struct {
	Kind string `json:"kind"`
	// After is when it was first seen, from the start signal.
	After time.Duration `json:"after_ns"`
	// Members is the new view (network), or the departed session (departed).
	Members []string `json:"members,omitempty"`
	// SeenBy is how many receivers saw this membership (network and
	// transitional; one event per group id).
	SeenBy int `json:"seen_by,omitempty"`
	// Role and Error describe a departed session.
	Role  Role   `json:"role,omitempty"`
	Error string `json:"error,omitempty"`
}

// viewEvent is a transitional or network membership one receiver got.
type viewEvent struct {
	at      int64 // unix nanos
	kind    string
	id      spread.GroupID
	members []string
}

// recordView notes a transitional or network membership of the flood's
// group; it reports whether m was one.
func (r *receiver) recordView(m *spread.MembershipMessage, now int64) bool {
	var kind string
	switch m.Cause {
	case spread.CauseTransition:
		kind = FaultTransitional
	case spread.CauseNetwork:
		kind = FaultNetwork
	default:
		return false
	}
	if r.views == nil && !r.remote {
		r.oldNext = make([]uint32, len(r.progress))
		for i := range r.oldNext {
			r.oldNext[i] = r.check.Next(uint32(i))
		}
	}
	r.views = append(r.views, viewEvent{at: now, kind: kind, id: m.GroupID, members: slices.Clone(m.Members)})
	if kind == FaultNetwork {
		v := make(map[string]bool, len(m.Members))
		for _, name := range m.Members {
			v[name] = true
		}
		r.view.Store(&v)
	}
	return true
}

// faultJudgement is how a flood's result treats a fault. When the flood
// saw one (faulted), a session lost to its daemon, or a receiver a
// partition left apart from the senders, has departed: its loss counts
// only the gaps in what it got, a departed sender's messages count only
// as far as they reached a survivor (lossReference), and the total order
// and the per-receiver rate are the survivors'. A session cut off without
// a fault is a disturbance (a warning), not a departure.
type faultJudgement struct{ faulted bool }

func (f *flood) judgeFaults() faultJudgement { return faultJudgement{faulted: f.faulted()} }

func (j faultJudgement) senderDeparted(s *sender) bool { return j.faulted && s.gone.Load() }

func (j faultJudgement) receiverDeparted(r *receiver) bool {
	return j.faulted && (r.goneAt != 0 || r.apart)
}

// events are the faults the flood saw, nil when it saw none.
func (j faultJudgement) events(f *flood) []FaultEvent {
	if !j.faulted {
		return nil
	}
	return f.faultEvents()
}

// perReceiverRate is the messages per second each reporting receiver got:
// the survivors' average when some departed (they stopped early, and would
// lower it), else every receiver's.
func perReceiverRate(delivered, receivers, survivorDeliveries, survivors int64, elapsed time.Duration) float64 {
	if survivors > 0 && survivors < receivers {
		return float64(survivorDeliveries) / elapsed.Seconds() / float64(survivors)
	}
	return float64(delivered) / elapsed.Seconds() / float64(receivers)
}

// departed reports whether err ended a session because its daemon went
// away (not because this flood disconnected it).
func departed(err error) bool {
	return err != nil && errors.Is(err, spread.ErrConnectionClosed) && !errors.Is(err, spread.ErrDisconnected)
}

// faultEvents merges what the receivers saw (viewEvents) and the sessions
// that departed, in time order.
func (f *flood) faultEvents() []FaultEvent {
	start := f.startTime.UnixNano()
	out := viewEvents(f.reporting(), start)
	for _, s := range f.senders {
		if s.gone.Load() {
			out = append(out, FaultEvent{Kind: FaultDeparted, After: time.Duration(s.goneAt - start), Members: []string{s.name},
				Role: RoleSender, Error: s.goneErr.Error()})
		}
	}
	for _, r := range f.receivers {
		switch {
		case r.goneAt != 0:
			out = append(out, FaultEvent{Kind: FaultDeparted, After: time.Duration(r.goneAt - start), Members: []string{r.name},
				Role: RoleReceiver, Error: r.err.Error()})
		case r.apart:
			v := r.views[len(r.views)-1]
			out = append(out, FaultEvent{Kind: FaultApart, After: time.Duration(v.at - start), Members: []string{r.name},
				Role: RoleReceiver, Error: "a partition left it apart from the senders"})
		}
	}
	slices.SortStableFunc(out, func(a, b FaultEvent) int { return int(a.After - b.After) })
	return out
}

// viewEvents merges the memberships recvs saw into one event per kind and
// group id, with how many saw it and when the first did (from start, unix
// nanos), in time order.
func viewEvents(recvs []*receiver, start int64) []FaultEvent {
	type key struct {
		kind string
		id   spread.GroupID
	}
	at := map[key]int{}
	out := []FaultEvent{}
	for _, r := range recvs {
		for _, v := range r.views {
			k := key{v.kind, v.id}
			if i, ok := at[k]; ok {
				out[i].SeenBy++
				out[i].After = min(out[i].After, time.Duration(v.at-start))
				continue
			}
			at[k] = len(out)
			e := FaultEvent{Kind: v.kind, After: time.Duration(v.at - start), SeenBy: 1}
			if v.kind == FaultNetwork {
				e.Members = v.members
			}
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b FaultEvent) int { return int(a.After - b.After) })
	return out
}

// faulted reports whether this flood saw a fault: a transitional or
// network membership, or a daemon that every session of the flood on it
// lost (a session cut off alone, its daemon still serving the others, is
// not a fault but a disturbance).
func (f *flood) faulted() bool {
	for _, r := range f.reporting() {
		if len(r.views) > 0 {
			return true
		}
	}
	on := map[string][2]int{} // daemon -> sessions, departed
	count := func(d string, gone bool) {
		c := on[d]
		c[0]++
		if gone {
			c[1]++
		}
		on[d] = c
	}
	for _, s := range f.senders {
		count(s.daemon, s.gone.Load())
	}
	for _, r := range f.receivers {
		count(r.daemon, r.goneAt != 0)
	}
	lost := 0
	for _, c := range on {
		if c[0] == c[1] {
			lost++
		}
	}
	return lost > 0 && lost < len(on) // every daemon lost is ErrDaemonLost
}

// departedSettle is how long the survivors' counts of departed senders'
// messages must stay unchanged before the flood stops waiting for more: a
// real ring may still deliver some after the membership change.
const departedSettle = 250 * time.Millisecond

// survivorsAgreeOnDeparted reports whether every live receiver has the same
// number of messages from each departed sender (what a departed sender got
// into the ring reaches all survivors or none: virtual synchrony), and has
// had for departedSettle. Only the supervisor calls it.
func (f *flood) survivorsAgreeOnDeparted() bool {
	var total int64
	for _, s := range f.senders {
		if !s.gone.Load() {
			continue
		}
		for _, r := range f.receivers {
			if !r.dead.Load() && !r.apartFrom(s.lead()) {
				total += r.from[s.idx].Load()
			}
		}
	}
	if now := time.Now(); total != f.departedSeen || f.departedSince.IsZero() {
		f.departedSeen, f.departedSince = total, now
		return false
	} else if now.Sub(f.departedSince) < departedSettle {
		return false
	}
	for _, s := range f.senders {
		if !s.gone.Load() {
			continue
		}
		n := int64(-1)
		for _, r := range f.receivers {
			if r.dead.Load() || r.apartFrom(s.lead()) {
				continue
			}
			got := r.from[s.idx].Load()
			if n >= 0 && got != n {
				return false
			}
			n = got
		}
	}
	return true
}

func (f *flood) anyGone() bool {
	for _, s := range f.senders {
		if s.gone.Load() {
			return true
		}
	}
	return false
}
