package daemon

// A partition names every node of a ring exactly once, each component at
// least one node. Ring.Partition applies that rule to a running ring, and
// a program that plans a partition before its ring runs (pkg/flood/embedded)
// applies the same rule through SplitNodes; each says what is wrong in its
// own words.

// PartitionProblem says why components are not a partition of a ring's
// nodes: the first problem found, looking at the components in order and
// then at the nodes left out.
type PartitionProblem struct {
	// Empty is the component (from 1) that names no node; 0 when none.
	Empty int
	// Unknown is a name that is not one of the nodes.
	Unknown string
	// Twice is a node named a second time.
	Twice string
	// Missing are the nodes no component names, in the nodes' order.
	Missing []string
}

// SplitNodes gives, for each of nodes, the index of the component that
// names it, or the problem that makes components no partition of nodes.
func SplitNodes(nodes []string, components [][]string) ([]int, *PartitionProblem) {
	part := make([]int, len(nodes))
	for i := range part {
		part[i] = -1
	}
	index := make(map[string]int, len(nodes))
	for i, name := range nodes {
		index[name] = i
	}
	for ci, comp := range components {
		if len(comp) == 0 {
			return nil, &PartitionProblem{Empty: ci + 1}
		}
		for _, name := range comp {
			i, ok := index[name]
			switch {
			case !ok:
				return nil, &PartitionProblem{Unknown: name}
			case part[i] >= 0:
				return nil, &PartitionProblem{Twice: name}
			}
			part[i] = ci
		}
	}
	var missing []string
	for i, p := range part {
		if p < 0 {
			missing = append(missing, nodes[i])
		}
	}
	if len(missing) > 0 {
		return nil, &PartitionProblem{Missing: missing}
	}
	return part, nil
}
