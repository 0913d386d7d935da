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
	cfg, refused, err := s.accept(m)
	if err != nil {
		s.event(Event{Kind: EventRefused, Run: m.Run, Err: err})
		s.reply(coordinator, Message{Kind: KindResult, Run: m.Run, Error: err.Error(), Refused: refused})
		return
	}
	rctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.run, s.cancel = m.Run, cancel
	s.mu.Unlock()
	s.event(Event{Kind: EventRunStarted, Run: m.Run, Plan: m.Plan})
	cfg.Ready = func() {
		s.reply(coordinator, Message{Kind: KindReady, Run: m.Run})
		s.event(Event{Kind: EventJoined, Run: m.Run})
	}
	runs.Add(1)
	go func() {
		defer runs.Done()
		defer cancel()
		reply := s.carryOut(rctx, cfg, m.Run)
		s.mu.Lock()
		s.run, s.cancel = "", nil
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
// returns the flood that carries it out.
func (s *server) accept(m Message) (flood.Config, Refusal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case m.Proto != ProtocolVersion || m.Version != s.Version:
		return flood.Config{}, RefusedVersion, fmt.Errorf("agent %s is spgo %s (agent protocol %d); the coordinator is %s (protocol %d): run the same spgo on every host",
			s.name, s.Version, ProtocolVersion, m.Version, m.Proto)
	case s.run != "":
		return flood.Config{}, RefusedBusy, fmt.Errorf("agent %s is busy with run %s of another coordinator", s.name, s.run)
	case m.Plan == nil:
		return flood.Config{}, RefusedPlan, fmt.Errorf("agent %s: a plan message without a plan", s.name)
	}
	cfg, err := s.config(m.Plan)
	if err != nil {
		return cfg, RefusedPlan, fmt.Errorf("agent %s cannot carry out the plan: %w", s.name, err)
	}
	return cfg, "", nil
}

// config is the flood that carries out plan p, checked.
func (s *server) config(p *Plan) (flood.Config, error) {
	svc, err := flood.ParseService(p.Service)
	if err != nil {
		return flood.Config{}, err
	}
	cfg := flood.Config{Daemon: s.Daemon, Group: p.Group, Services: []spread.ServiceType{svc}, Count: p.Count,
		Size: p.Size, Senders: p.Senders, Receivers: p.Receivers, Window: p.Window, Rate: p.Rate, RTTEvery: p.RTTEvery,
		Stall: p.Stall, RemoteSenders: p.RemoteSenders, AckEvery: p.AckEvery, RemoteReceivers: p.RemoteReceivers,
		Mode: flood.ModeOf(p.Senders, p.Receivers, p.RemoteReceivers), Options: s.Options}
	return cfg, cfg.Check()
}

// carryOut runs the flood and returns the result message.
func (s *server) carryOut(ctx context.Context, cfg flood.Config, run string) Message {
	reply := Message{Kind: KindResult, Run: run}
	res, err := flood.Run(ctx, cfg)
	if res == nil || len(res.Services) == 0 {
		if err == nil {
			err = errors.New("no result")
		}
		if errors.Is(err, context.Canceled) {
			err = errors.New("the run was aborted before it started")
		}
		reply.Error = fmt.Sprintf("agent %s: %v", s.name, err)
		return reply
	}
	sr := &res.Services[0]
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
