package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/buildinfo"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// A flood across hosts: `spgo flood agent` runs on each host beside its
// daemon and waits in a control group; `spgo flood --agents N` (the
// coordinator) finds N agents there, sends each its part of the plan,
// and collects and merges their results. Spread carries everything: the
// hosts need nothing but the daemons' ports. Every message is one JSON
// object of message type agentMsgType; a coordinator's run id keeps its
// runs apart from another coordinator's on the same control group.

// DefaultControlGroup is where agents wait for a coordinator.
const DefaultControlGroup = "spgo-flood-ctl"

const (
	agentProto            = 1      // the agent protocol's version
	agentMsgType    int16 = 0x4641 // "FA": coordinator and agent messages
	agentKindProbe        = "probe"
	agentKindHello        = "hello"
	agentKindPlan         = "plan"
	agentKindAbort        = "abort"
	agentKindReady        = "ready" // a receivers' agent's sessions are in the group
	agentKindResult       = "result"
)

// agentMsg is every message between coordinator and agents.
type agentMsg struct {
	Kind    string `json:"kind"`
	Proto   int    `json:"proto"`
	Version string `json:"version"` // spgo's module version
	Run     string `json:"run,omitempty"`

	// hello
	Host   string `json:"host,omitempty"`
	Daemon string `json:"daemon,omitempty"`
	Busy   string `json:"busy,omitempty"` // the run it is busy with

	Plan *agentPlan `json:"plan,omitempty"`

	// result
	Error    string               `json:"error,omitempty"`
	Result   *flood.ServiceResult `json:"result,omitempty"`
	Shipment *flood.Shipment      `json:"shipment,omitempty"`
	Garbage  int64                `json:"garbage,omitempty"` // control messages it could not read
}

// agentPlan is one agent's part of one service type's flood.
type agentPlan struct {
	Service         string        `json:"service"`
	Group           string        `json:"group"`
	Count           int           `json:"count"`
	Size            int           `json:"size"`
	Senders         int           `json:"senders"`
	Receivers       int           `json:"receivers"`
	RemoteSenders   int           `json:"remote_senders"`
	Members         int           `json:"members"` // wait for this many in the group: the start signal
	Window          int           `json:"window"`
	Rate            float64       `json:"rate"`
	RTTEvery        int           `json:"rtt_every"`
	AckEvery        int           `json:"ack_every"`        // receivers acknowledge for remote senders' windows
	RemoteReceivers int           `json:"remote_receivers"` // senders: the receivers elsewhere that acknowledge
	Stall           time.Duration `json:"stall_ns"`
}

func agentVersion() string { return buildinfo.Read().Version }

// sendAgentMsg multicasts m to group.
func sendAgentMsg(mb *spread.Mailbox, group string, m agentMsg) error {
	m.Proto, m.Version = agentProto, agentVersion()
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return mb.Multicast(spread.AgreedMess, group, b, agentMsgType)
}

// readAgentMsg decodes a control message; ok is false for anything else
// (garbage).
func readAgentMsg(rm *spread.RegularMessage) (agentMsg, bool) {
	var m agentMsg
	if rm.MsgType != agentMsgType || json.Unmarshal(rm.Data, &m) != nil || m.Kind == "" {
		return m, false
	}
	return m, true
}

// FloodAgentOptions are the flags of `spgo flood agent`.
type FloodAgentOptions struct {
	Factory   *Factory
	Conn      ConnOptions
	Control   string
	Quiet     bool
	ReadyFile string
}

func newCmdFloodAgent(f *Factory) *cobra.Command {
	opts := &FloodAgentOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Wait in a control group and run the part of a flood a coordinator sends",
		Long: `Connect to the local daemon (-s), join the control group and wait for a
coordinator (spgo flood --agents N) to send a plan: this agent's senders or
receivers of a flood over the ring. It runs them, sends the results back
(latency histograms included, so the coordinator merges them exactly) and
waits for the next plan, until interrupted. Messages on the control group
that are not a coordinator's are counted and ignored. A plan from a
coordinator of another spgo version, or one the agent cannot carry out, is
answered with a one-line error.`,
		Example: `  spgo flood agent -s 4803@localhost &     # on every host
  spgo flood --agents 3 -s 4803@localhost --services agreed`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			readConnFlags(cmd, &opts.Conn)
			if err := checkGroups([]string{opts.Control}, checkJoinGroup); err != nil {
				return invalidValue(fmt.Errorf("--control: %w", err))
			}
			return floodAgentRun(cmd.Context(), opts)
		},
	}
	addConnFlags(cmd, f, &opts.Conn, "")
	cmd.Flags().StringVar(&opts.Control, "control", DefaultControlGroup, "the control group agents and coordinators meet in")
	cmd.Flags().BoolVarP(&opts.Quiet, "quiet", "q", false, "no readiness and run lines on stderr")
	cmd.Flags().StringVar(&opts.ReadyFile, "ready-file", "", "write the private group name to this file once in the control group")
	return cmd
}

// agent is a running `spgo flood agent`.
type agent struct {
	o       *FloodAgentOptions
	mb      *spread.Mailbox
	host    string
	mu      sync.Mutex
	run     string             // the run in progress, "" when idle
	cancel  context.CancelFunc // ends it
	garbage int64
}

func floodAgentRun(ctx context.Context, o *FloodAgentOptions) error {
	mb, err := spread.ConnectContext(ctx, o.Conn.Server, spread.WithName(o.Conn.User), spread.WithMembership(true),
		spread.WithTimeout(o.Conn.ConnectTimeout()))
	if err != nil {
		return connectFailed(fmt.Errorf("connecting to %s: %w", o.Conn.Server, spreadErr(err)))
	}
	defer mb.Disconnect()
	if err := mb.Join(o.Control); err != nil {
		return lost(fmt.Errorf("joining %s: %w", o.Control, spreadErr(err)))
	}
	host, _ := os.Hostname()
	a := &agent{o: o, mb: mb, host: host}
	if o.ReadyFile != "" {
		if err := writeFileAtomic(o.ReadyFile, []byte(mb.PrivateGroup()+"\n")); err != nil {
			return err
		}
	}
	a.say("ready as %s in %s", mb.PrivateGroup(), o.Control)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		msg, err := mb.ReceiveContext(ctx)
		if err != nil {
			a.abort("")
			if ctx.Err() != nil {
				return nil // interrupted: the agent's normal end
			}
			return lost(spreadErr(err))
		}
		rm, ok := msg.(*spread.RegularMessage)
		if !ok {
			continue // memberships of the control group
		}
		m, ok := readAgentMsg(rm)
		if !ok {
			a.mu.Lock()
			a.garbage++
			a.mu.Unlock()
			continue
		}
		switch m.Kind {
		case agentKindProbe:
			a.mu.Lock()
			busy := a.run
			a.mu.Unlock()
			_ = sendAgentMsg(mb, rm.Sender, agentMsg{Kind: agentKindHello, Run: m.Run, Host: host, Daemon: o.Conn.Server, Busy: busy})
		case agentKindPlan:
			if err := a.accept(m); err != nil {
				_ = sendAgentMsg(mb, rm.Sender, agentMsg{Kind: agentKindResult, Run: m.Run, Error: err.Error()})
				continue
			}
			rctx, cancel := context.WithCancel(ctx)
			a.mu.Lock()
			a.run, a.cancel = m.Run, cancel
			a.mu.Unlock()
			coordinator := rm.Sender
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer cancel()
				reply := a.carryOut(rctx, m, func() {
					_ = sendAgentMsg(mb, coordinator, agentMsg{Kind: agentKindReady, Run: m.Run})
				})
				a.mu.Lock()
				a.run, a.cancel = "", nil
				reply.Garbage = a.garbage
				a.mu.Unlock()
				if err := sendAgentMsg(mb, rm.Sender, reply); err != nil {
					a.say("sending the result of run %s: %v", m.Run, err)
				}
			}()
		case agentKindAbort:
			a.abort(m.Run)
		default:
			a.mu.Lock()
			a.garbage++
			a.mu.Unlock()
		}
	}
}

// accept checks that a plan can be carried out here and now.
func (a *agent) accept(m agentMsg) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case m.Proto != agentProto || m.Version != agentVersion():
		return fmt.Errorf("agent %s is spgo %s (agent protocol %d); the coordinator is %s (protocol %d): run the same spgo on every host",
			a.mb.PrivateGroup(), agentVersion(), agentProto, m.Version, m.Proto)
	case a.run != "":
		return fmt.Errorf("agent %s is busy with run %s of another coordinator", a.mb.PrivateGroup(), a.run)
	case m.Plan == nil:
		return fmt.Errorf("agent %s: a plan message without a plan", a.mb.PrivateGroup())
	}
	if _, err := a.config(m.Plan).withChecks(); err != nil {
		return fmt.Errorf("agent %s cannot carry out the plan: %w", a.mb.PrivateGroup(), err)
	}
	return nil
}

// config is the flood an agent runs for plan p.
func (a *agent) config(p *agentPlan) planConfig {
	svc, err := flood.ParseService(p.Service)
	cfg := flood.Config{Daemon: a.o.Conn.Server, Group: p.Group, Services: []spread.ServiceType{svc}, Count: p.Count,
		Size: p.Size, Senders: p.Senders, Receivers: p.Receivers, Window: p.Window, Rate: p.Rate, RTTEvery: p.RTTEvery,
		WaitMembers: p.Members, Stall: p.Stall, RemoteSenders: p.RemoteSenders, AckEvery: p.AckEvery, RemoteReceivers: p.RemoteReceivers,
		Options: []spread.Option{spread.WithTimeout(a.o.Conn.ConnectTimeout())}}
	cfg.Mode = flood.ModeOf(p.Senders, p.Receivers, p.RemoteReceivers)
	return planConfig{cfg: cfg, err: err}
}

type planConfig struct {
	cfg flood.Config
	err error
}

func (p planConfig) withChecks() (flood.Config, error) {
	if p.err != nil {
		return p.cfg, p.err
	}
	return p.cfg, p.cfg.Check()
}

// carryOut runs the plan and returns the result message.
func (a *agent) carryOut(ctx context.Context, m agentMsg, ready func()) agentMsg {
	reply := agentMsg{Kind: agentKindResult, Run: m.Run}
	cfg, _ := a.config(m.Plan).withChecks() // accept checked it
	cfg.Ready = ready
	a.say("run %s: %s, %d senders, %d receivers", m.Run, m.Plan.Service, m.Plan.Senders, m.Plan.Receivers)
	res, err := flood.Run(ctx, cfg)
	if res == nil || len(res.Services) == 0 {
		if err == nil {
			err = errors.New("no result")
		}
		if errors.Is(err, context.Canceled) {
			err = errors.New("the run was aborted before it started")
		}
		reply.Error = fmt.Sprintf("agent %s: %v", a.mb.PrivateGroup(), err)
		return reply
	}
	sr := &res.Services[0]
	sh, serr := sr.Ship()
	if serr != nil {
		reply.Error = serr.Error()
		return reply
	}
	if err != nil && !errors.Is(err, flood.ErrDaemonLost) {
		sr.Warnings = append(sr.Warnings, err.Error())
	}
	reply.Result, reply.Shipment = sr, &sh
	return reply
}

// abort ends the run in progress (any run when run is "").
func (a *agent) abort(run string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cancel != nil && (run == "" || run == a.run) {
		a.cancel()
	}
}

func (a *agent) say(format string, args ...any) {
	if !a.o.Quiet {
		fmt.Fprintf(a.o.Factory.IOStreams.ErrOut, "spgo flood agent: "+format+"\n", args...)
	}
}
