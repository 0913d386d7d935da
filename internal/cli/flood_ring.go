package cli

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// spgo flood across the daemons of a ring: --senders-at and --receivers-at
// place the sessions round robin over daemons (those of a real ring, or
// with --embedded --nodes N the nodes d1..dN of an in-process ring).
// --receiver-server, --embedded-nodes, --sender-node and --receiver-node
// are shorthands for one daemon or node each.

func addFloodRingFlags(cmd *cobra.Command, o *FloodOptions) {
	fl := cmd.Flags()
	fl.StringSliceVar(&o.SendersAt, "senders-at", nil,
		"daemons the senders connect to, round robin (default -s; with --nodes: d1)")
	fl.StringSliceVar(&o.ReceiversAt, "receivers-at", nil,
		"daemons the receivers connect to, round robin (default -s; with --nodes: the last node)")
	fl.IntVar(&o.Nodes, "nodes", 0, "with --embedded: an in-process ring of this many nodes, d1..dN, that --senders-at and --receivers-at name")
	fl.StringVar(&o.Crash, "crash", "", "with --nodes: crash this node when the first service type is halfway (to see a flood through a fault)")
	fl.StringVar(&o.ReceiverServer, "receiver-server", "", "the daemon the receivers connect to (--receivers-at with one daemon)")
	fl.IntVar(&o.EmbeddedNodes, "embedded-nodes", 0, "with --embedded: the same as --nodes")
	fl.IntVar(&o.SenderNode, "sender-node", 0, "with --nodes: the node K the senders connect to (--senders-at dK)")
	fl.IntVar(&o.ReceiverNode, "receiver-node", 0, "with --nodes: the node K the receivers connect to (--receivers-at dK)")
	cmd.MarkFlagsMutuallyExclusive("receivers-at", "receiver-server", "receiver-node")
	cmd.MarkFlagsMutuallyExclusive("senders-at", "sender-node")
	cmd.MarkFlagsMutuallyExclusive("nodes", "embedded-nodes")
}

// validateRing checks the placement flags and resolves the shorthands
// into Nodes, SendersAt and ReceiversAt.
func (o *FloodOptions) validateRing(cmd *cobra.Command) error {
	ch := cmd.Flags().Changed
	for _, p := range o.placementFlags() {
		if slices.Contains(p.list, "") {
			return usageErrorf("%s %q: empty daemon name; give daemons separated by commas", p.flag, strings.Join(p.list, ","))
		}
	}
	if o.EmbeddedNodes != 0 {
		o.Nodes = o.EmbeddedNodes
	}
	if o.ReceiverServer != "" {
		o.ReceiversAt = []string{o.ReceiverServer}
	}
	if o.Nodes == 0 && (ch("nodes") || ch("embedded-nodes")) {
		return usageErrorf("--nodes %d: allowed 1..%d", o.Nodes, daemon.MaxRingNodes)
	}
	if o.Nodes == 0 {
		switch {
		case o.Crash != "":
			return usageErrorf("--crash needs --nodes (a node of an in-process ring)")
		case ch("sender-node") || ch("receiver-node"):
			return usageErrorf("--sender-node/--receiver-node need --nodes (an in-process ring)")
		case o.Embedded && (len(o.SendersAt) > 0 || len(o.ReceiversAt) > 0):
			return usageErrorf("--embedded runs one daemon; add --nodes N for a ring whose nodes --senders-at and --receivers-at can name")
		}
		for _, p := range o.placementFlags() {
			for _, name := range p.list {
				if _, _, err := spread.ParseDaemonName(name); err != nil {
					return invalidValue(fmt.Errorf("%s %q: %w", p.flag, name, spreadErr(err)))
				}
			}
		}
		return nil
	}
	switch {
	case !o.Embedded:
		return usageErrorf("--nodes needs --embedded (a ring in this process); for a real ring name its daemons in --senders-at and --receivers-at")
	case o.Nodes < 1 || o.Nodes > daemon.MaxRingNodes:
		return usageErrorf("--nodes %d: allowed 1..%d", o.Nodes, daemon.MaxRingNodes)
	case o.Transport != "tcp":
		return usageErrorf("--nodes floods over tcp (each node has its own address); drop --transport %s", o.Transport)
	}
	for _, k := range []struct {
		flag string
		k    int
		list *[]string
	}{{"--sender-node", o.SenderNode, &o.SendersAt}, {"--receiver-node", o.ReceiverNode, &o.ReceiversAt}} {
		if !ch(k.flag[2:]) {
			continue
		}
		if k.k < 1 || k.k > o.Nodes {
			return usageErrorf("%s %d: allowed 1..%d (--nodes)", k.flag, k.k, o.Nodes)
		}
		*k.list = []string{ringNode(k.k)}
	}
	if len(o.SendersAt) == 0 {
		o.SendersAt = []string{"d1"}
	}
	if len(o.ReceiversAt) == 0 {
		o.ReceiversAt = []string{ringNode(o.Nodes)}
	}
	nodes := ringNodeNames(o.Nodes)
	if o.Crash != "" && !slices.Contains(nodes, o.Crash) {
		return usageErrorf("--crash %q: the ring of --nodes %d has the nodes d1..d%d", o.Crash, o.Nodes, o.Nodes)
	}
	if svc, _ := o.services(); o.Crash != "" && len(svc) != 1 {
		return usageErrorf("--crash takes one service type (--services): the crashed node stays down, so a later type could not connect to it")
	}
	if o.Crash != "" && cmd.Flags().Changed("duration") {
		return usageErrorf("--crash comes halfway through --count messages; not with --duration")
	}
	for _, p := range o.placementFlags() {
		for _, name := range p.list {
			if !slices.Contains(nodes, name) {
				return usageErrorf("%s %q: the ring of --nodes %d has the nodes d1..d%d", p.flag, name, o.Nodes, o.Nodes)
			}
		}
	}
	return nil
}

// placementFlag is --senders-at or --receivers-at and the daemons it names.
type placementFlag struct {
	flag string
	list []string
}

func (o *FloodOptions) placementFlags() []placementFlag {
	return []placementFlag{{"--senders-at", o.SendersAt}, {"--receivers-at", o.ReceiversAt}}
}

// ringNode is the name of node k (from 1) of the in-process ring: the
// ring's default names, d1..dN.
func ringNode(k int) string { return "d" + strconv.Itoa(k) }

func ringNodeNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = ringNode(i + 1)
	}
	return names
}

// placement is where a flood's sessions go: the daemons to dial, and how
// the results name them (a ring's nodes by name).
type placement struct {
	senders, receivers []string          // as dialled
	label              map[string]string // dialled name -> shown name; nil: as dialled
}

// startEmbeddedRing starts the in-process ring for --nodes on free ports
// (TCP only) and places the sessions on the nodes named.
func startEmbeddedRing(o *FloodOptions) (r *daemon.Ring, p placement, err error) {
	r, err = daemon.StartRing(daemon.RingConfig{Nodes: o.Nodes, Node: daemon.Config{NoUnixSocket: true}})
	if err != nil {
		return nil, p, fmt.Errorf("starting the embedded ring: %w", err)
	}
	p.label = map[string]string{}
	addr := func(names []string) []string {
		out := make([]string, len(names))
		for i, n := range names {
			out[i] = r.Node(n).SpreadName()
			p.label[out[i]] = n
		}
		return out
	}
	p.senders, p.receivers = addr(o.SendersAt), addr(o.ReceiversAt)
	return r, p, nil
}

// crashHalfway is a flood progress callback that crashes node once the
// first service type has half its deliveries.
func crashHalfway(r *daemon.Ring, node string, errOut io.Writer) func(flood.Progress) {
	var once sync.Once
	return func(p flood.Progress) {
		if p.Index == 0 && p.Expected > 0 && 2*p.Delivered >= p.Expected {
			once.Do(func() {
				if err := r.Crash(node); err != nil {
					fmt.Fprintf(errOut, "spgo flood: --crash %s: %v\n", node, err)
				}
			})
		}
	}
}

// describe is the banner's placement line, "" for a flood on one daemon.
func (p placement) describe() string {
	if len(p.senders) == 0 && len(p.receivers) == 0 {
		return ""
	}
	return "senders on " + p.names(p.senders) + "; receivers on " + p.names(p.receivers) + " (round robin)"
}

func (p placement) names(list []string) string {
	out := make([]string, len(list))
	for i, d := range list {
		out[i] = d
		if l, ok := p.label[d]; ok {
			out[i] = l + " (" + d + ")"
		}
	}
	return strings.Join(out, ", ")
}

// relabel names the daemons of the results as the user named them (ring
// nodes d1..dN rather than their addresses).
func (p placement) relabel(points []flood.Point) {
	if p.label == nil {
		return
	}
	name := func(d string) string {
		if l, ok := p.label[d]; ok {
			return l
		}
		return d
	}
	names := func(list []string) []string {
		out := make([]string, len(list))
		for i, d := range list {
			out[i] = name(d)
		}
		return out
	}
	for _, pt := range points {
		r := pt.Results
		r.SendersAt, r.ReceiversAt = names(r.SendersAt), names(r.ReceiversAt)
		for i := range r.Services {
			s := &r.Services[i]
			for j := range s.ByDaemon {
				s.ByDaemon[j].Daemon = name(s.ByDaemon[j].Daemon)
			}
			for j := range s.Clients {
				s.Clients[j].Daemon = name(s.Clients[j].Daemon)
			}
		}
	}
}
