package ringctl_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/daemon/ringctl"
)

// TestComplete: crash offers the live nodes, restart the crashed ones, a
// partition the nodes it does not name yet after what is typed; other
// commands take no node.
func TestComplete(t *testing.T) {
	l := ringctl.Layout{Components: [][]string{{"d1", "d2"}, {"d3"}}, Crashed: []string{"d4"}, Frozen: []string{"d5"}}
	for _, c := range []struct {
		command, typed string
		want           []string
		more           bool
	}{
		{"crash", "", []string{"d1", "d2", "d3", "d5"}, false},
		{"freeze", "", []string{"d1", "d2", "d3"}, false},
		{"thaw", "d", []string{"d5"}, false},
		{"crash", "d3", []string{"d3"}, false},
		{"crash", "d4", nil, false},
		{"restart", "", []string{"d4"}, false},
		{"partition", "", []string{"d1", "d2", "d3", "d4", "d5"}, true},
		{"partition", "d1,", []string{"d1,d2", "d1,d3", "d1,d4", "d1,d5"}, true},
		{"partition", "d2,d1/d", []string{"d2,d1/d3", "d2,d1/d4", "d2,d1/d5"}, true},
		{"heal", "", nil, false},
		{"nonsense", "d", nil, false},
	} {
		got, more := l.Complete(c.command, c.typed)
		if !slices.Equal(got, c.want) || more != c.more {
			t.Errorf("%s %q: %q (more %v), want %q (more %v)", c.command, c.typed, got, more, c.want, c.more)
		}
	}
}

// TestCommandsMatchUsage: every command Commands lists is in Usage, in
// the same order.
func TestCommandsMatchUsage(t *testing.T) {
	var words []string
	for _, part := range strings.Split(strings.NewReplacer(", ", ",", " or ", ",").Replace(ringctl.Usage), ",") {
		words = append(words, strings.Fields(part)[0])
	}
	if got := ringctl.Commands(); !slices.Equal(got, words) {
		t.Errorf("Commands() = %q, Usage names %q", got, words)
	}
}
