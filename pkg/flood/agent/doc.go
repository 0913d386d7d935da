// Package agent runs a flood across hosts. An Agent waits beside each
// host's daemon in a control group; a Coordinator finds the agents there,
// gives each its part of the flood (its senders, its receivers or both), starts
// them, collects their results and merges them exactly (latency histograms
// and total-order hashes included) with flood.Merge. Spread carries every
// control message, so the hosts need nothing but the daemons' ports.
//
// # The control protocol
//
// Every control message is one JSON object (Message) of message type
// MsgType, multicast AGREED. A coordinator sends a KindProbe to the
// control group; each agent answers with a KindHello to the coordinator's
// private group, saying its host, its daemon, its spgo version and the run
// it is busy with, if any. For each service type the coordinator then
// sends a KindPlan to each agent's private group: first to the receivers'
// agents, each of which answers KindReady once its receiving sessions are
// in the flood group; that ready message, from every receivers' agent, is
// the start signal: only then do the senders' agents get their plans, so
// no sent message goes unseen. An agent with both roles in a team of
// several gets its plan with the receivers, marked HoldSenders: it runs
// its receivers at once and its senders only when a KindStart comes. In
// a flood for a duration, each agent running senders sends a KindSent
// once they are done, saying how many they sent, and when every one has,
// the coordinator tells the receivers' agents the total (KindSentTotal). Each agent answers its plan with a
// KindResult (a flood.ServiceResult and the flood.Shipment JSON leaves
// out), or with an error when it refuses the plan (another protocol
// version or spgo version, busy with another coordinator's run, a plan it
// cannot carry out). KindAbort ends a run early. A run id (Message.Run)
// keeps one coordinator's runs apart from another's on the same control
// group; anything an agent cannot read is counted as garbage and ignored.
//
// An agent that leaves the control group mid-run (its host or session
// died) is noticed from the control group's membership and reported as
// lost (ErrAgentLost) rather than waited for.
package agent
