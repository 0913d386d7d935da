package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/spgo/spgo/pkg/flood"
)

// Outcome is what a flood across agents gave.
type Outcome struct {
	// Results holds one merged ServiceResult per service type that ran,
	// in cfg.Services order; a run that stopped early holds fewer.
	Results *flood.Results
	// Agents are the team's agents, their roles and their parts.
	Agents []flood.AgentResult
}

// Run floods each of cfg's service types in turn over team (from Assign):
// the receivers' agents first, then, once every one of them said its
// sessions are in the group, the senders' agents (an agent with both
// roles is told then to start its senders). It collects the
// agents' results and merges them. cfg gives the flood's settings
// (Daemon only names the coordinator's daemon in the results; Senders and
// Receivers are the team's). With Duration the senders send for that
// long; each senders' agent says what its senders sent once they are done
// (and every receiver has acknowledged all of it), and the receivers'
// agents are told the total, which their receivers then expect.
//
// The outcome holds whatever finished, also when the error is set. When
// an agent fails (refuses, is lost, sends no result in time) the others
// are told to abort, their partial results are merged, the run stops
// after that service type, and the error is a *FailuresError. When ctx ends, the
// run stops, the agents are told to abort, and the error includes ctx's.
// A *SessionError is the coordinator's own session failing.
func (c *Coordinator) Run(ctx context.Context, team []Assignment, cfg flood.Config) (*Outcome, error) {
	cfg, err := settings(cfg)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Results: header(cfg, team)}
	members := make([]*member, len(team))
	for i, a := range team {
		members[i] = &member{Assignment: a, result: flood.AgentResult{Name: a.Name, Host: a.Host, Daemon: a.Daemon,
			Version: a.Version, Role: a.Role(), Senders: a.Senders, Receivers: a.Receivers}}
	}
	var failures []*AgentError
	for _, svc := range cfg.Services {
		sr, fails, serr := c.runService(ctx, members, newPlanner(cfg, svc, team))
		failures = append(failures, fails...)
		if sr != nil {
			out.Results.Services = append(out.Results.Services, *sr)
		}
		if serr != nil || len(fails) > 0 {
			err = serr
			break
		}
	}
	out.Agents = make([]flood.AgentResult, len(members))
	for i, m := range members {
		out.Agents[i] = m.result
	}
	if len(failures) > 0 {
		err = errors.Join(err, &FailuresError{Failures: failures})
	}
	return out, err
}

// runService runs one service type's flood over the team.
func (c *Coordinator) runService(ctx context.Context, team []*member, p planner) (*flood.ServiceResult, []*AgentError, error) {
	col := &collector{c: c, run: fmt.Sprintf("%s.%d", c.id, c.runs), svc: p.svc, size: p.cfg.Size,
		waiting: map[string]*member{}, ready: map[string]bool{}}
	if p.cfg.Duration > 0 && len(team) > 1 {
		col.sentFrom = map[string]int64{}
		for _, m := range team {
			if m.Senders > 0 {
				col.senders++
			}
		}
	}
	c.runs++
	tctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	// Receivers first: the senders start once every receiver is in the
	// group, so none of their messages goes unseen. An agent with both
	// roles gets its plan with the receivers and holds its senders until
	// told to start.
	var senders, held []*member
	for _, m := range team {
		switch {
		case m.Receivers > 0:
			pl := p.plan(m.Assignment)
			if err := col.send(m, pl); err != nil {
				return col.stop(err)
			}
			if pl.HoldSenders {
				held = append(held, m)
			}
		case m.Senders > 0:
			senders = append(senders, m)
		}
	}
	if len(team) > 1 {
		if err := col.await(ctx, tctx, col.allReady); err != nil || len(col.failures) > 0 {
			return col.stop(err)
		}
	}
	if err := col.startSenders(p, senders, held); err != nil {
		return col.stop(err)
	}
	err := col.await(ctx, tctx, col.allIn)
	return col.stop(err)
}

// startSenders sends the senders' agents their plans and tells the agents
// holding senders to start them.
func (col *collector) startSenders(p planner, senders, held []*member) error {
	for _, m := range senders {
		if err := col.send(m, p.plan(m.Assignment)); err != nil {
			return err
		}
	}
	for _, m := range held {
		if err := col.c.send(m.Name, Message{Kind: KindStart, Run: col.run}); err != nil {
			return err
		}
	}
	return nil
}

// member is an agent of the team and what its parts gave so far.
type member struct {
	Assignment
	result flood.AgentResult
}

// add records what the agent's part of a service type's flood gave.
func (m *member) add(sr *flood.ServiceResult, garbage int64) {
	m.result.Garbage = max(m.result.Garbage, garbage)
	part := flood.AgentPart{Service: sr.Service, Delivered: sr.Delivered,
		MsgRate: sr.MsgRate, Latency: sr.Latency, Lost: sr.Lost, Verdict: sr.Judge()}
	if m.Senders > 0 { // a receivers' part's Sent is what it expected
		part.Sent = sr.Sent
	}
	if m.Receivers == 0 { // a senders' agent: its send rate
		part.MsgRate = 0
		for _, cl := range sr.Clients {
			part.MsgRate += cl.MsgRate
		}
	}
	m.result.Services = append(m.result.Services, part)
}
