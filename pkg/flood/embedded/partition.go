package embedded

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/ringctl"
	"github.com/spgo/spgo/pkg/flood"
)

// ParsePartition reads a partition as spgo daemon ctl takes it, "d1,d2/d3":
// sides separated by '/', node names by ','. A malformed spec is a
// *flood.ConfigError on Partition; RingPlan.Resolve checks the names.
func ParsePartition(spec string) ([][]string, error) {
	sides, err := ringctl.ParsePartition(spec)
	if err != nil {
		return nil, &flood.ConfigError{Field: "Partition", Value: strconv.Quote(spec),
			Allow: `give the sides separated by "/", their nodes by "," (e.g. d1,d2/d3)`}
	}
	return sides, nil
}

// checkPartition checks the sides to split the ring into: two or more,
// naming every node of the ring once, as Ring.Partition demands; no crash
// as well (one fault per flood), one service type (the ring stays split,
// so a later type's sessions could not all meet) and a count of messages.
func (p *RingPlan) checkPartition(cfg flood.Config, nodes string) error {
	if len(p.Partition) == 0 {
		return nil
	}
	refuse := func(allow string) error {
		return &flood.ConfigError{Field: "Partition", Value: strconv.Quote(PartitionSpec(p.Partition)), Allow: allow}
	}
	switch {
	case p.Crash != "":
		return refuse("one fault per flood: not with a crash as well")
	case p.Nodes < 2:
		return refuse("a ring of 2 nodes or more splits; this one has 1")
	case len(p.Partition) < 2:
		return refuse(`give two sides or more, separated by "/" (e.g. d1,d2/d3)`)
	case len(cfg.Services) != 1:
		return refuse("with one service type only: the ring stays split, so a later type's sessions could not all meet")
	case cfg.Duration > 0:
		return refuse(halfwayAllow)
	}
	if msg := p.partitionNames(nodes); msg != "" {
		return refuse(msg)
	}
	return nil
}

// partitionNames says what is wrong with the nodes the sides name (a node
// not in the ring, named twice or left out), "" when nothing is: the rule
// Ring.Partition applies (daemon.SplitNodes), in the flood's words.
func (p *RingPlan) partitionNames(nodes string) string {
	names := make([]string, p.Nodes)
	for k := range names {
		names[k] = NodeName(k + 1)
	}
	_, problem := daemon.SplitNodes(names, p.Partition)
	switch {
	case problem == nil:
		return ""
	case problem.Empty > 0:
		return "every side names a node at least"
	case problem.Unknown != "":
		return fmt.Sprintf("%q is not a node: %s", problem.Unknown, nodes)
	case problem.Twice != "":
		return fmt.Sprintf("name every node exactly once; %s is named twice", problem.Twice)
	}
	return fmt.Sprintf("name every node exactly once; %s is left out", problem.Missing[0])
}

// checkSides checks that the placement puts a sender and a receiver on
// every side of the partition: a side without one has nothing to judge.
func (p *RingPlan) checkSides() error {
	for i, list := range p.placement() {
		role := []string{"sender", "receiver"}[i]
		for _, side := range p.Partition {
			if !slices.ContainsFunc(side, func(n string) bool { return slices.Contains(list.names, n) }) {
				return &flood.ConfigError{Field: list.field, Value: strconv.Quote(strings.Join(list.names, ",")),
					Allow: fmt.Sprintf("with a partition every side needs a %s; none is on the side %s", role, strings.Join(side, ","))}
			}
		}
	}
	return nil
}
