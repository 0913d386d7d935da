package agent

import (
	"encoding/json"
	"time"

	"github.com/spgo/spgo/internal/buildinfo"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// DefaultControlGroup is where agents wait for a coordinator.
const DefaultControlGroup = "spgo-flood-ctl"

// MsgType is the Spread message type of every control message ("FA").
const MsgType int16 = 0x4641

// ProtocolVersion is the version of the control protocol; an agent
// refuses a plan of another version.
const ProtocolVersion = 2

// Kind says what a control message is.
type Kind string

// The kinds of control message.
const (
	KindProbe Kind = "probe" // coordinator to the control group: who is there?
	KindHello Kind = "hello" // agent to coordinator: here I am (and whether busy)
	KindPlan  Kind = "plan"  // coordinator to agent: run this part of a flood
	KindReady Kind = "ready" // receivers' agent to coordinator: my sessions are in the group
	KindStart Kind = "start" // coordinator to agent: every receiver is in; start the senders held
	// KindSent: agent to coordinator, in a Duration run: my senders are
	// done and sent Sent messages. KindSentTotal: coordinator to a
	// receivers' agent: every sender is done, and Sent were sent in all.
	KindSent      Kind = "sent"
	KindSentTotal Kind = "sent-total"
	KindResult    Kind = "result" // agent to coordinator: what the plan gave, or why not
	KindAbort     Kind = "abort"  // coordinator to agent: end the run now
)

// Refusal says why an agent refused a plan.
type Refusal string

// The reasons an agent refuses a plan.
const (
	RefusedVersion Refusal = "version" // another protocol or spgo version
	RefusedBusy    Refusal = "busy"    // busy with another coordinator's run
	RefusedPlan    Refusal = "plan"    // a plan it cannot carry out
)

// Message is every message between coordinator and agents; Kind says
// which fields are set.
type Message struct {
	Kind    Kind   `json:"kind"`
	Proto   int    `json:"proto"`   // ProtocolVersion of the sender
	Version string `json:"version"` // the sender's spgo version
	Run     string `json:"run,omitempty"`

	// KindHello.
	Host   string `json:"host,omitempty"`
	Daemon string `json:"daemon,omitempty"`
	Busy   string `json:"busy,omitempty"` // the run it is busy with

	// KindPlan.
	Plan *Plan `json:"plan,omitempty"`

	// KindSent and KindSentTotal.
	Sent int64 `json:"sent,omitempty"`

	// KindResult: Error (and Refused, for a plan refused) or the result.
	Error    string               `json:"error,omitempty"`
	Refused  Refusal              `json:"refused,omitempty"`
	Result   *flood.ServiceResult `json:"result,omitempty"`
	Shipment *flood.Shipment      `json:"shipment,omitempty"`
	Garbage  int64                `json:"garbage,omitempty"` // control messages it could not read
}

// Plan is one agent's part of one service type's flood.
type Plan struct {
	Service string `json:"service"` // "fifo", "agreed"...
	Group   string `json:"group"`
	Count   int    `json:"count"` // messages per sender
	// Duration, instead of Count, is how long each sender sends.
	// Receivers elsewhere learn what was sent from KindSentTotal.
	Duration      time.Duration `json:"duration_ns,omitempty"`
	Size          int           `json:"size"`
	Senders       int           `json:"senders"`        // sending sessions this agent runs
	Receivers     int           `json:"receivers"`      // receiving sessions this agent runs
	RemoteSenders int           `json:"remote_senders"` // senders in all agents, for receivers elsewhere
	Window        int           `json:"window"`
	Rate          float64       `json:"rate"` // this agent's share of the total rate
	RTTEvery      int           `json:"rtt_every"`
	// AckEvery makes receivers acknowledge every AckEvery-th message to
	// its sender: the senders' windows, in another process, follow them.
	AckEvery int `json:"ack_every"`
	// RemoteReceivers is, for a senders' agent, how many receivers
	// elsewhere acknowledge.
	RemoteReceivers int `json:"remote_receivers"`
	// Stall is flood.Config.Stall: how long a run may make no progress.
	Stall time.Duration `json:"stall_ns"`
	// HoldSenders, for an agent with senders and receivers in a team of
	// several, holds its senders until the coordinator's KindStart: its
	// receivers are in the group before then, the other agents' maybe not.
	HoldSenders bool `json:"hold_senders,omitempty"`
}

// buildVersion is this build's spgo version, the default of
// Agent.Version and Options.Version.
func buildVersion() string { return buildinfo.Read().Version }

// send multicasts m, stamped with the protocol and spgo version, to group.
func send(mb *spread.Mailbox, group, version string, m Message) error {
	m.Proto, m.Version = ProtocolVersion, version
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return mb.Multicast(spread.AgreedMess, group, b, MsgType)
}

// Decode reads a control message; ok is false for anything else
// (another message type, bytes that are not a control message).
func Decode(rm *spread.RegularMessage) (m Message, ok bool) {
	if rm.MsgType != MsgType || json.Unmarshal(rm.Data, &m) != nil || m.Kind == "" {
		return Message{}, false
	}
	return m, true
}
