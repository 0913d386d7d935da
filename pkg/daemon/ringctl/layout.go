package ringctl

import (
	"fmt"
	"strings"

	"github.com/spgo/spgo/pkg/daemon"
)

// refused is a command the ring (or this package, reading it) refuses:
// the ring's own error type, so that one errors.As tells every refusal.
func refused(format string, a ...any) error {
	return &daemon.FaultError{Msg: fmt.Sprintf(format, a...)}
}

// ParsePartition reads the partition syntax "d1,d2/d3": components
// separated by '/', node names by ','. It checks the form only;
// Ring.Partition checks the names against the ring. Its error is a
// *daemon.FaultError.
func ParsePartition(spec string) ([][]string, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, refused(`empty partition: want components separated by "/", nodes by "," (e.g. d1,d2/d3)`)
	}
	var out [][]string
	for i, part := range strings.Split(spec, "/") {
		var comp []string
		for _, name := range strings.Split(part, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				return nil, refused("partition %q: component %d has an empty node name (e.g. d1,d2/d3)", spec, i+1)
			}
			comp = append(comp, name)
		}
		out = append(out, comp)
	}
	return out, nil
}

// Layout is where a ring's nodes are: what every successful reply
// carries.
type Layout struct {
	Components [][]string // the live nodes, by component
	Crashed    []string
	Frozen     []string
	Held       string // where a held fault is (daemon.Ring.Held): "next", "unnoticed", "transitional" or ""
}

// LayoutOf reads r's layout now.
func LayoutOf(r *daemon.Ring) Layout {
	comps, crashed := r.Layout()
	return Layout{Components: comps, Crashed: crashed, Frozen: r.Frozen(), Held: r.Held()}
}

// Live is the nodes that are up and not frozen, component by component.
func (l Layout) Live() []string {
	var out []string
	for _, c := range l.Components {
		out = append(out, c...)
	}
	return out
}

// Nodes is every node of the ring: the live ones, the crashed, then the
// frozen.
func (l Layout) Nodes() []string { return append(append(l.Live(), l.Crashed...), l.Frozen...) }

// String is the layout in the partition syntax, then the crashed nodes,
// the frozen ones and a held fault: "d1,d2/d3", "d1 crashed=d3 frozen=d2
// held=next"; "-" when no node is up and not frozen.
func (l Layout) String() string {
	parts := make([]string, len(l.Components))
	for i, c := range l.Components {
		parts[i] = strings.Join(c, ",")
	}
	s := strings.Join(parts, "/")
	if s == "" {
		s = "-"
	}
	if len(l.Crashed) > 0 {
		s += " crashed=" + strings.Join(l.Crashed, ",")
	}
	if len(l.Frozen) > 0 {
		s += " frozen=" + strings.Join(l.Frozen, ",")
	}
	if l.Held != "" {
		s += " held=" + l.Held
	}
	return s
}

// ParseLayout reads a layout in String's form, as Send returns it after a
// command.
func ParseLayout(s string) (Layout, error) {
	var l Layout
	f := strings.Fields(s)
	if len(f) == 0 {
		return l, fmt.Errorf("daemon: empty ring layout")
	}
	if f[0] != "-" {
		comps, err := ParsePartition(f[0])
		if err != nil {
			return l, err
		}
		l.Components = comps
	}
	for _, kv := range f[1:] {
		switch k, v, _ := strings.Cut(kv, "="); k {
		case "crashed":
			l.Crashed = strings.Split(v, ",")
		case "frozen":
			l.Frozen = strings.Split(v, ",")
		case "held":
			l.Held = v
		default:
			return l, fmt.Errorf("daemon: ring layout %q: unknown field %q", s, kv)
		}
	}
	return l, nil
}
