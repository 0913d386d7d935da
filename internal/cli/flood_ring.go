package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/daemon"
)

// spgo flood across the daemons of a ring: --receiver-server puts the
// receivers on another daemon than the senders (-s); --embedded-nodes N
// floods an in-process ring, senders on --sender-node, receivers on
// --receiver-node.

func addFloodRingFlags(cmd *cobra.Command, o *FloodOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.ReceiverServer, "receiver-server", "", "daemon the receivers connect to (default: -s, the senders' daemon)")
	fl.IntVar(&o.EmbeddedNodes, "embedded-nodes", 0, "with --embedded: an in-process ring of this many nodes (d1..dN)")
	fl.IntVar(&o.SenderNode, "sender-node", 1, "with --embedded-nodes: the node the senders connect to")
	fl.IntVar(&o.ReceiverNode, "receiver-node", 0, "with --embedded-nodes: the node the receivers connect to (default: the last)")
}

// validateRing checks the ring flags against each other.
func (o *FloodOptions) validateRing(cmd *cobra.Command) error {
	ch := cmd.Flags().Changed
	if o.EmbeddedNodes == 0 {
		if ch("sender-node") || ch("receiver-node") {
			return usageErrorf("--sender-node/--receiver-node need --embedded-nodes")
		}
		if o.ReceiverServer != "" && o.Embedded {
			return usageErrorf("--receiver-server names a daemon; with --embedded use --embedded-nodes and --receiver-node")
		}
		return nil
	}
	if o.ReceiverNode == 0 {
		o.ReceiverNode = o.EmbeddedNodes
	}
	switch {
	case !o.Embedded:
		return usageErrorf("--embedded-nodes needs --embedded")
	case o.EmbeddedNodes < 1 || o.EmbeddedNodes > daemon.MaxRingNodes:
		return usageErrorf("--embedded-nodes %d: allowed 1..%d", o.EmbeddedNodes, daemon.MaxRingNodes)
	case o.SenderNode < 1 || o.SenderNode > o.EmbeddedNodes:
		return usageErrorf("--sender-node %d: allowed 1..%d (--embedded-nodes)", o.SenderNode, o.EmbeddedNodes)
	case o.ReceiverNode < 1 || o.ReceiverNode > o.EmbeddedNodes:
		return usageErrorf("--receiver-node %d: allowed 1..%d (--embedded-nodes)", o.ReceiverNode, o.EmbeddedNodes)
	case o.ReceiverServer != "":
		return usageErrorf("--receiver-server names a daemon; with --embedded-nodes use --receiver-node")
	case o.Transport != "tcp":
		return usageErrorf("--embedded-nodes floods over tcp (each node has its own address); drop --transport %s", o.Transport)
	}
	return nil
}

// startEmbeddedRing starts the in-process ring for --embedded-nodes on a
// free port (TCP only) and returns the senders' and receivers' daemons.
func startEmbeddedRing(o *FloodOptions) (stop func(), send, recv string, err error) {
	r, err := daemon.StartRing(daemon.RingConfig{Nodes: o.EmbeddedNodes, Node: daemon.Config{NoUnixSocket: true}})
	if err != nil {
		return nil, "", "", fmt.Errorf("starting the embedded ring: %w", err)
	}
	n := r.Nodes()
	return func() { r.Close() }, n[o.SenderNode-1].SpreadName(), n[o.ReceiverNode-1].SpreadName(), nil
}
