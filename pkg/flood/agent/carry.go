package agent

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// start accepts the plan m from coordinator and carries it out in the
// background, or refuses it at once.
func (s *server) start(ctx context.Context, coordinator string, m Message, runs *sync.WaitGroup) {
	l := links{total: make(chan int64, 1)}
	parts, refused, err := s.accept(m, l.total)
	if err != nil {
		s.event(Event{Kind: EventRefused, Run: m.Run, Err: err})
		s.reply(coordinator, Message{Kind: KindResult, Run: m.Run, Error: err.Error(), Refused: refused})
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	if m.Plan.HoldSenders {
		l.start = make(chan struct{})
	}
	if m.Plan.Duration > 0 && m.Plan.Senders > 0 && m.Plan.RemoteReceivers > 0 {
		l.sent = func(n int64) { s.reply(coordinator, Message{Kind: KindSent, Run: m.Run, Sent: n}) }
	}
	s.mu.Lock()
	s.run, s.cancel, s.release, s.total = m.Run, cancel, l.start, l.total
	s.mu.Unlock()
	s.event(Event{Kind: EventRunStarted, Run: m.Run, Plan: m.Plan})
	parts[0].Ready = func() {
		s.reply(coordinator, Message{Kind: KindReady, Run: m.Run})
		s.event(Event{Kind: EventJoined, Run: m.Run})
	}
	runs.Add(1)
	go func() {
		defer runs.Done()
		defer cancel()
		reply := s.carryOut(rctx, parts, l, m.Run)
		s.mu.Lock()
		s.run, s.cancel, s.release, s.total = "", nil, nil, nil
		reply.Garbage = s.garbage
		s.mu.Unlock()
		s.reply(coordinator, reply)
		var err error
		if reply.Error != "" {
			err = errors.New(reply.Error)
		}
		s.event(Event{Kind: EventRunDone, Run: m.Run, Err: err})
	}()
}

// accept checks that the plan in m can be carried out here and now, and
// returns the floods that carry it out (see planFloods).
func (s *server) accept(m Message, total chan int64) ([]flood.Config, Refusal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case m.Proto != ProtocolVersion || m.Version != s.Version:
		return nil, RefusedVersion, fmt.Errorf("agent %s is spgo %s (agent protocol %d); the coordinator is %s (protocol %d): run the same spgo on every host",
			s.name, s.Version, ProtocolVersion, m.Version, m.Proto)
	case s.run != "":
		return nil, RefusedBusy, fmt.Errorf("agent %s is busy with run %s of another coordinator", s.name, s.run)
	case m.Plan == nil:
		return nil, RefusedPlan, fmt.Errorf("agent %s: a plan message without a plan", s.name)
	}
	parts, err := planFloods(m.Plan, s.Daemon, s.Options, total)
	if err != nil {
		return nil, RefusedPlan, fmt.Errorf("agent %s cannot carry out the plan: %w", s.name, err)
	}
	return parts, "", nil
}

// planFloods returns the floods that carry out plan p on daemon, checked: one
// flood, or for a plan that holds its senders two, the receivers' (which
// acknowledge) and then the senders' (whose window follows every
// receiver's acknowledgements, its own agent's too). Read-only receivers
// of a Duration run learn what was sent from total.
func planFloods(p *Plan, daemon string, opts []spread.Option, total chan int64) ([]flood.Config, error) {
	svc, err := flood.ParseService(p.Service)
	if err != nil {
		return nil, err
	}
	cfg := flood.Config{Daemon: daemon, Group: p.Group, Services: []spread.ServiceType{svc}, Count: p.Count, Duration: p.Duration,
		Size: p.Size, Senders: p.Senders, Receivers: p.Receivers, Window: p.Window, Rate: p.Rate, RTTEvery: p.RTTEvery,
		Stall: p.Stall, RemoteSenders: p.RemoteSenders, AckEvery: p.AckEvery, RemoteReceivers: p.RemoteReceivers,
		Mode: flood.ModeOf(p.Senders, p.Receivers, p.RemoteReceivers), Options: opts}
	parts := []flood.Config{cfg}
	if p.HoldSenders {
		if p.Senders == 0 || p.Receivers == 0 {
			return nil, fmt.Errorf("a plan that holds its senders has %s: want senders and receivers", p.Role())
		}
		recv, send := cfg, cfg
		recv.Senders, recv.Rate, recv.RemoteReceivers, recv.Mode = 0, 0, 0, flood.ModeReadOnly
		send.Receivers, send.Mode = 0, flood.ModeWriteAcked
		parts = []flood.Config{recv, send}
	}
	for i := range parts {
		if parts[i].Mode == flood.ModeReadOnly && p.Duration > 0 {
			parts[i].RemoteSent = total
		}
		if err := parts[i].Check(); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// carryOut runs the floods and returns the result message.
func (s *server) carryOut(ctx context.Context, parts []flood.Config, l links, run string) Message {
	reply := Message{Kind: KindResult, Run: run}
	sr, err := runParts(ctx, parts, l)
	if sr == nil {
		if err == nil {
			err = errors.New("no result")
		}
		if errors.Is(err, context.Canceled) {
			err = errors.New("the run was aborted before it started")
		}
		reply.Error = fmt.Sprintf("agent %s: %v", s.name, err)
		return reply
	}
	sh, serr := sr.Ship()
	if serr != nil {
		reply.Error = serr.Error()
		return reply
	}
	// A run its coordinator aborted (or the agent's end) is Partial; the
	// context's error adds nothing to that.
	if err != nil && !errors.Is(err, flood.ErrDaemonLost) && !errors.Is(err, context.Canceled) {
		sr.Warnings = append(sr.Warnings, err.Error())
	}
	reply.Result, reply.Shipment = sr, &sh
	return reply
}
