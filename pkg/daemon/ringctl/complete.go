package ringctl

import (
	"slices"
	"strings"
)

// Usage names every command a control line may start with and what it
// takes; Apply answers an empty or unknown command with it.
const Usage = "crash NODE, restart NODE, freeze NODE, thaw NODE, partition SPEC, heal, hold, step or status"

// Commands is every command a control line may start with, in Usage's
// order.
func Commands() []string {
	return []string{"crash", "restart", "freeze", "thaw", "partition", "heal", "hold", "step", "status"}
}

// Complete offers the arguments command may take on the ring l describes
// that begin with typed: live nodes to crash or freeze, crashed ones to
// restart, frozen ones to thaw (or crash), and
// for a partition the nodes typed does not name yet, each after what typed
// holds up to its last ',' or '/'. more says that an offer may go on (a
// partition takes more nodes), so no space should follow it. Other
// commands take no node: no offers.
func (l Layout) Complete(command, typed string) (offers []string, more bool) {
	var nodes []string
	switch command {
	case "crash":
		nodes = append(l.Live(), l.Frozen...)
	case "freeze":
		nodes = l.Live()
	case "restart":
		nodes = l.Crashed
	case "thaw":
		nodes = l.Frozen
	case "partition":
		cut := strings.LastIndexAny(typed, ",/") + 1
		named := strings.FieldsFunc(typed[:cut], func(r rune) bool { return r == ',' || r == '/' })
		for _, n := range l.Nodes() {
			if strings.HasPrefix(n, typed[cut:]) && !slices.Contains(named, n) {
				offers = append(offers, typed[:cut]+n)
			}
		}
		return offers, true
	}
	for _, n := range nodes {
		if strings.HasPrefix(n, typed) {
			offers = append(offers, n)
		}
	}
	return offers, false
}
