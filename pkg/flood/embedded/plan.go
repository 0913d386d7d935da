package embedded

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/flood"
)

// RingPlan is a flood across an in-process ring: how many nodes, where
// the sessions go and which fault, if any, comes halfway.
type RingPlan struct {
	// Nodes is the ring's size, 1..daemon.MaxRingNodes; the nodes are
	// named d1..dN.
	Nodes int
	// SendersAt and ReceiversAt name the nodes the senders and receivers
	// connect to, round robin. Default: d1 for the senders, the last node
	// for the receivers; with a Partition, the first node of each side for
	// the senders and the last one for the receivers.
	SendersAt, ReceiversAt []string
	// Crash, when set, names the node crashed once the first service
	// type has half its deliveries (to see a flood through a fault).
	Crash string
	// Partition, when set, splits the ring into these sides (node names,
	// every node in exactly one) once the first service type has half its
	// deliveries; each side must have a sender and a receiver. The ring
	// stays split until the flood ends (it does not heal), so a flood
	// with a Partition runs one service type.
	Partition [][]string
}

// NodeName is the name of node k (from 1) of the ring: d1..dN, the ring's
// default names.
func NodeName(k int) string { return "d" + strconv.Itoa(k) }

// CheckNodes checks a ring's size: 1..daemon.MaxRingNodes nodes. A
// refusal is a *flood.ConfigError on Nodes.
func CheckNodes(n int) error {
	if n < 1 || n > daemon.MaxRingNodes {
		return &flood.ConfigError{Field: "Nodes", Value: n, Allow: fmt.Sprintf("1..%d", daemon.MaxRingNodes)}
	}
	return nil
}

// Resolve checks p against the flood it is for and fills in its defaults.
// A refusal is a *flood.ConfigError whose Field is the RingPlan field at
// fault (Nodes, SendersAt, ReceiversAt, Crash or Partition).
func (p *RingPlan) Resolve(cfg flood.Config) error {
	if err := CheckNodes(p.Nodes); err != nil {
		return err
	}
	nodes := fmt.Sprintf("the ring of %d nodes has the nodes d1..d%d", p.Nodes, p.Nodes)
	if err := p.checkPartition(cfg, nodes); err != nil {
		return err
	}
	p.placementDefaults()
	for _, list := range p.placement() {
		for _, name := range list.names {
			if !p.has(name) {
				return &flood.ConfigError{Field: list.field, Value: strconv.Quote(name), Allow: nodes}
			}
		}
	}
	if err := p.checkSides(); err != nil {
		return err
	}
	return p.checkCrash(cfg, nodes)
}

// placementDefaults fills SendersAt and ReceiversAt when they are empty.
func (p *RingPlan) placementDefaults() {
	first, last := []string{NodeName(1)}, []string{NodeName(p.Nodes)}
	if len(p.Partition) > 0 {
		first, last = nil, nil
		for _, side := range p.Partition {
			first, last = append(first, side[0]), append(last, side[len(side)-1])
		}
	}
	if len(p.SendersAt) == 0 {
		p.SendersAt = first
	}
	if len(p.ReceiversAt) == 0 {
		p.ReceiversAt = last
	}
}

// placementList is SendersAt or ReceiversAt, and its field's name.
type placementList struct {
	field string
	names []string
}

func (p *RingPlan) placement() []placementList {
	return []placementList{{"SendersAt", p.SendersAt}, {"ReceiversAt", p.ReceiversAt}}
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
		return &flood.ConfigError{Field: "Crash", Value: crash, Allow: halfwayAllow}
	}
	return nil
}

// halfwayAllow is why a fault halfway needs a count.
const halfwayAllow = "with a count of messages only (it comes halfway through them), not a duration"

// has reports whether the ring has a node of that name.
func (p *RingPlan) has(name string) bool {
	for k := 1; k <= p.Nodes; k++ {
		if NodeName(k) == name {
			return true
		}
	}
	return false
}

// Describe is the plan's fault in a few words, "" without one: "d3
// crashes halfway", "splits d1,d2/d3 halfway".
func (p *RingPlan) Describe() string {
	switch {
	case p.Crash != "":
		return p.Crash + " crashes halfway"
	case len(p.Partition) > 0:
		return "splits " + PartitionSpec(p.Partition) + " halfway"
	}
	return ""
}

// PartitionSpec writes sides in the syntax ParsePartition reads:
// "d1,d2/d3".
func PartitionSpec(sides [][]string) string {
	parts := make([]string, len(sides))
	for i, side := range sides {
		parts[i] = strings.Join(side, ",")
	}
	return strings.Join(parts, "/")
}
