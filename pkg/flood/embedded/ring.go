package embedded

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/flood"
)

// RingPlan is a flood across an in-process ring: how many nodes, where
// the sessions go and which node, if any, crashes halfway.
type RingPlan struct {
	// Nodes is the ring's size, 1..daemon.MaxRingNodes; the nodes are
	// named d1..dN.
	Nodes int
	// SendersAt and ReceiversAt name the nodes the senders and receivers
	// connect to, round robin. Default: d1 for the senders, the last node
	// for the receivers.
	SendersAt, ReceiversAt []string
	// Crash, when set, names the node crashed once the first service
	// type has half its deliveries (to see a flood through a fault).
	Crash string
}

// NodeName is the name of node k (from 1) of the ring: d1..dN, the ring's
// default names.
func NodeName(k int) string { return "d" + strconv.Itoa(k) }

// Resolve checks p against the flood it is for and fills in its defaults.
// A refusal is a *flood.ConfigError whose Field is the RingPlan field at
// fault (Nodes, SendersAt, ReceiversAt or Crash).
func (p *RingPlan) Resolve(cfg flood.Config) error {
	if p.Nodes < 1 || p.Nodes > daemon.MaxRingNodes {
		return &flood.ConfigError{Field: "Nodes", Value: p.Nodes, Allow: fmt.Sprintf("1..%d", daemon.MaxRingNodes)}
	}
	if len(p.SendersAt) == 0 {
		p.SendersAt = []string{NodeName(1)}
	}
	if len(p.ReceiversAt) == 0 {
		p.ReceiversAt = []string{NodeName(p.Nodes)}
	}
	nodes := fmt.Sprintf("the ring of %d nodes has the nodes d1..d%d", p.Nodes, p.Nodes)
	for _, list := range []struct {
		field string
		names []string
	}{{"SendersAt", p.SendersAt}, {"ReceiversAt", p.ReceiversAt}} {
		for _, name := range list.names {
			if !p.has(name) {
				return &flood.ConfigError{Field: list.field, Value: strconv.Quote(name), Allow: nodes}
			}
		}
	}
	return p.checkCrash(cfg, nodes)
}

// checkCrash checks the node to crash: one of the ring's, in a flood of
// one service type (the node stays down, so a later type could not
// connect to it) and of a count of messages (halfway is a count's).
func (p *RingPlan) checkCrash(cfg flood.Config, nodes string) error {
	crash := strconv.Quote(p.Crash)
	switch {
	case p.Crash == "":
		return nil
	case !p.has(p.Crash):
		return &flood.ConfigError{Field: "Crash", Value: crash, Allow: nodes}
	case len(cfg.Services) != 1:
		return &flood.ConfigError{Field: "Crash", Value: crash, Allow: "with one service type only: the crashed node stays down, so a later type could not connect to it"}
	case cfg.Duration > 0:
		return &flood.ConfigError{Field: "Crash", Value: crash, Allow: "with a count of messages only (it comes halfway through them), not a duration"}
	}
	return nil
}

// has reports whether the ring has a node of that name.
func (p *RingPlan) has(name string) bool {
	for k := 1; k <= p.Nodes; k++ {
		if NodeName(k) == name {
			return true
		}
	}
	return false
}

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
	if r.plan.Crash != "" {
		kind += ", " + r.plan.Crash + " crashes halfway"
	}
	return kind
}

// CrashHalfway is the flood's progress callback that carries out the
// plan's crash: the node goes down once the first service type has half
// its deliveries. A crash that fails is handed to failed. Without a crash
// planned it is nil.
func (r *Ring) CrashHalfway(failed func(error)) func(flood.Progress) {
	if r.plan.Crash == "" {
		return nil
	}
	var once sync.Once
	return func(p flood.Progress) {
		if p.Index == 0 && p.Expected > 0 && 2*p.Delivered >= p.Expected {
			once.Do(func() {
				if err := r.ring.Crash(r.plan.Crash); err != nil {
					failed(err)
				}
			})
		}
	}
}

// Close stops every node.
func (r *Ring) Close() { r.ring.Close() }
