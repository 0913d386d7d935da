package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/flood/embedded"
	"github.com/spgo/spgo/pkg/spread"
)

// spgo flood across the daemons of a ring: --senders-at and --receivers-at
// place the sessions round robin over daemons (those of a real ring, or
// with --embedded --nodes N the nodes d1..dN of an in-process ring, which
// pkg/flood/embedded plans and starts). --receiver-server,
// --embedded-nodes, --sender-node and --receiver-node are shorthands for
// one daemon or node each.

func addFloodRingFlags(cmd *cobra.Command, o *FloodOptions) {
	fl := cmd.Flags()
	fl.StringSliceVar(&o.SendersAt, "senders-at", nil,
		"daemons the senders connect to: one sender on each at least, more with --senders, round robin (default -s; with --nodes: d1)")
	fl.StringSliceVar(&o.ReceiversAt, "receivers-at", nil,
		"daemons the receivers connect to: one receiver on each at least, more with --receivers, round robin (default -s; with --nodes: the last node)")
	fl.IntVar(&o.Nodes, "nodes", 0, "with --embedded: an in-process ring of this many nodes, d1..dN, that --senders-at and --receivers-at name")
	fl.StringVar(&o.Crash, "crash", "", "with --nodes: crash this node when the first service type is halfway (to see a flood through a fault)")
	fl.StringVar(&o.Partition, "partition", "", "with --nodes: split the ring into these sides (e.g. d1,d2/d3) when the first service type is halfway; each side is judged on its own")
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
	if o.Nodes == 0 && !ch("nodes") && !ch("embedded-nodes") {
		return o.validateDaemonPlacement(ch)
	}
	switch {
	case !o.Embedded:
		return usageErrorf("--nodes needs --embedded (a ring in this process); for a real ring name its daemons in --senders-at and --receivers-at")
	case o.Transport != "tcp":
		return usageErrorf("--nodes floods over tcp (each node has its own address); drop --transport %s", o.Transport)
	}
	if err := embedded.CheckNodes(o.Nodes); err != nil {
		return floodSettingError(err)
	}
	if err := o.nodeShorthands(ch); err != nil {
		return err
	}
	if (o.Crash != "" || o.Partition != "") && (o.Sweep != "" || o.Bench.Repeat > 1) {
		// The fault happens once, halfway through the first run: later runs
		// would measure a ring with no fault, or one without the node.
		return usageErrorf("%s is one fault in the first run; not with --sweep or --repeat", strings.Fields(o.faultFlag())[0])
	}
	if o.Partition != "" {
		sides, err := embedded.ParsePartition(o.Partition)
		if err != nil {
			return floodSettingError(err)
		}
		o.sides = sides
	}
	plan := o.ringPlan()
	if err := plan.Resolve(floodConfig(o)); err != nil {
		return floodSettingError(err)
	}
	o.SendersAt, o.ReceiversAt = plan.SendersAt, plan.ReceiversAt
	return nil
}

// nodeShorthands turns --sender-node and --receiver-node into the
// placement of one node each.
func (o *FloodOptions) nodeShorthands(ch func(string) bool) error {
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
		*k.list = []string{embedded.NodeName(k.k)}
	}
	return nil
}

// validateDaemonPlacement checks the placement of a flood without an
// in-process ring: the daemons named must be daemon names.
func (o *FloodOptions) validateDaemonPlacement(ch func(string) bool) error {
	switch {
	case o.Crash != "":
		return usageErrorf("--crash needs --nodes (a node of an in-process ring)")
	case o.Partition != "":
		return usageErrorf("--partition needs --embedded --nodes (an in-process ring to split)")
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

// ringPlan is the in-process ring the flags ask for.
func (o *FloodOptions) ringPlan() embedded.RingPlan {
	return embedded.RingPlan{Nodes: o.Nodes, SendersAt: o.SendersAt, ReceiversAt: o.ReceiversAt, Crash: o.Crash, Partition: o.sides}
}

// faultFlag is the flag of the fault planned on the in-process ring, with
// its value: "--crash d3", "--partition d1,d2/d3".
func (o *FloodOptions) faultFlag() string {
	if o.Partition != "" {
		return "--partition " + o.Partition
	}
	return "--crash " + o.Crash
}

// placementFlag is --senders-at or --receivers-at and the daemons it names.
type placementFlag struct {
	flag string
	list []string
}

func (o *FloodOptions) placementFlags() []placementFlag {
	return []placementFlag{{"--senders-at", o.SendersAt}, {"--receivers-at", o.ReceiversAt}}
}
