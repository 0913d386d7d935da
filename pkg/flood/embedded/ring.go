package embedded

import (
	"fmt"
	"sync"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/flood"
)

// Ring is an in-process ring started for a flood.
type Ring struct {
	// Placement is where the sessions go: the nodes' addresses, labelled
	// with the nodes' names. Its Senders and Receivers are the flood's
	// Config.SenderDaemons and ReceiverDaemons.
	Placement flood.Placement
	plan      RingPlan
	ring      *daemon.Ring
}

// StartRing starts the ring of a resolved plan (RingPlan.Resolve) on free
// TCP ports and places the sessions on the nodes named.
func StartRing(p RingPlan) (*Ring, error) {
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: p.Nodes, Node: daemon.Config{NoUnixSocket: true}})
	if err != nil {
		return nil, fmt.Errorf("starting the embedded ring: %w", err)
	}
	pl := flood.Placement{Labels: map[string]string{}}
	addrs := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = r.Node(n).SpreadName()
			pl.Labels[out[i]] = n
		}
		return out
	}
	pl.Senders, pl.Receivers = addrs(p.SendersAt), addrs(p.ReceiversAt)
	return &Ring{Placement: pl, plan: p, ring: r}, nil
}

// Kind says what runs, for a report: "embedded spgo ring of 3 nodes, d3
// crashes halfway".
func (r *Ring) Kind() string {
	kind := fmt.Sprintf("embedded spgo ring of %d nodes", r.plan.Nodes)
	if fault := r.plan.Describe(); fault != "" {
		kind += ", " + fault
	}
	return kind
}

// FaultHalfway is the flood's progress callback that carries out the
// plan's fault, a crash (CrashHalfway) or a partition (PartitionHalfway);
// nil when the plan has none.
func (r *Ring) FaultHalfway(failed func(error)) func(flood.Progress) {
	if r.plan.Crash != "" {
		return r.CrashHalfway(failed)
	}
	return r.PartitionHalfway(failed)
}

// CrashHalfway is the flood's progress callback that carries out the
// plan's crash: the node goes down once the first service type has half
// its deliveries. A crash that fails is handed to failed. Without a crash
// planned it is nil.
func (r *Ring) CrashHalfway(failed func(error)) func(flood.Progress) {
	if r.plan.Crash == "" {
		return nil
	}
	return halfway(func() error { return r.ring.Crash(r.plan.Crash) }, failed)
}

// PartitionHalfway is the flood's progress callback that carries out the
// plan's partition: the ring splits into its sides once the first service
// type has half its deliveries, and stays split. A partition that fails
// is handed to failed. Without a partition planned it is nil.
func (r *Ring) PartitionHalfway(failed func(error)) func(flood.Progress) {
	if len(r.plan.Partition) == 0 {
		return nil
	}
	return halfway(func() error { return r.ring.Partition(r.plan.Partition...) }, failed)
}

// halfway calls fault once, when the first service type has half its
// deliveries, handing its error to failed.
func halfway(fault func() error, failed func(error)) func(flood.Progress) {
	var once sync.Once
	return func(p flood.Progress) {
		if p.Index == 0 && p.Expected > 0 && 2*p.Delivered >= p.Expected {
			once.Do(func() {
				if err := fault(); err != nil {
					failed(err)
				}
			})
		}
	}
}

// Close stops every node.
func (r *Ring) Close() { r.ring.Close() }
