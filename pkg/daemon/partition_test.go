package daemon

import (
	"reflect"
	"testing"
)

// SplitNodes finds the component of every node, or the first problem: an
// empty component, an unknown name, a node named twice, nodes left out.
func TestSplitNodes(t *testing.T) {
	nodes := []string{"d1", "d2", "d3"}
	for _, tc := range []struct {
		comps   [][]string
		part    []int
		problem *PartitionProblem
	}{
		{[][]string{{"d3", "d1"}, {"d2"}}, []int{0, 1, 0}, nil},
		{[][]string{{"d1"}, {}, {"d4"}}, nil, &PartitionProblem{Empty: 2}},
		{[][]string{{"d1", "d4"}, {"d2", "d2"}}, nil, &PartitionProblem{Unknown: "d4"}},
		{[][]string{{"d1", "d2"}, {"d2", "d3"}}, nil, &PartitionProblem{Twice: "d2"}},
		{[][]string{{"d2"}}, nil, &PartitionProblem{Missing: []string{"d1", "d3"}}},
	} {
		part, problem := SplitNodes(nodes, tc.comps)
		if !reflect.DeepEqual(part, tc.part) || !reflect.DeepEqual(problem, tc.problem) {
			t.Errorf("%q: %v %+v, want %v %+v", tc.comps, part, problem, tc.part, tc.problem)
		}
	}
}
