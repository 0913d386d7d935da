package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/spread"
)

// collector follows the agents of one service type's flood.
type collector struct {
	c        *Coordinator
	run      string
	svc      spread.ServiceType
	size     int
	waiting  map[string]*member // sent a plan, no result yet
	ready    map[string]bool    // receivers' agents whose sessions are in the group
	parts    []part             // the results that came in
	failures []*AgentError
	aborted  bool // the agents still running were told to abort
	// In a Duration run across agents: the agents running senders, and
	// what those done so far sent (KindSent); once every one has said,
	// the receivers' agents are told the total (KindSentTotal).
	senders  int
	sentFrom map[string]int64
}

func (col *collector) send(m *member, p *Plan) error {
	if err := col.c.send(m.Name, Message{Kind: KindPlan, Run: col.run, Plan: p}); err != nil {
		return err
	}
	col.waiting[m.Name] = m
	return nil
}

// allReady: every receivers' agent sent a plan said its sessions are in
// the group, or one failed (the senders are not started then).
func (col *collector) allReady() bool {
	return len(col.ready) == len(col.waiting) || len(col.failures) > 0
}

// allIn: every agent sent a plan has answered or failed.
func (col *collector) allIn() bool { return len(col.waiting) == 0 }

// part is one agent's result for the service type.
type part struct {
	m       *member
	res     *flood.ServiceResult
	garbage int64
}

// stop tells the agents still running to abort, and returns what came in:
// after a failure every part, and the merge, say the run was stopped and
// by what.
func (col *collector) stop(err error) (*flood.ServiceResult, []*AgentError, error) {
	col.abortRest()
	why := col.stoppedBy()
	for _, p := range col.parts {
		if p.res.Partial {
			p.res.Stopped = why
		}
		p.m.add(p.res, p.garbage)
	}
	merged := col.merged()
	if merged != nil && why != "" {
		merged.Stopped = why
		merged.Verdict = merged.Judge()
	}
	return merged, col.failures, err
}

// stoppedBy says which agents' failures stopped the run ("" for none).
func (col *collector) stoppedBy() string {
	why := make([]string, len(col.failures))
	for i, f := range col.failures {
		why[i] = fmt.Sprintf("agent %s (%s) failed", f.Name, f.Host)
		if errors.Is(f, ErrAgentLost) {
			why[i] = fmt.Sprintf("agent %s (%s) was lost mid-run", f.Name, f.Host)
		}
	}
	return strings.Join(why, "; ")
}

// abortRest tells the agents still running to abort, once: after a
// failure the run cannot be whole, and their partial results come sooner.
func (col *collector) abortRest() {
	if col.aborted {
		return
	}
	col.aborted = true
	for _, name := range col.waitingNames() {
		_ = col.c.send(name, Message{Kind: KindAbort, Run: col.run}) // best effort: it may be gone
	}
}

func (col *collector) merged() *flood.ServiceResult {
	if len(col.parts) == 0 {
		return nil
	}
	results := make([]*flood.ServiceResult, len(col.parts))
	for i, p := range col.parts {
		results[i] = p.res
	}
	return flood.Merge(col.svc, col.size, results)
}

// waitingNames are the agents still waited for, in name order.
func (col *collector) waitingNames() []string {
	names := make([]string, 0, len(col.waiting))
	for name := range col.waiting {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// fail records that an agent waited for failed, and tells the others to
// stop.
func (col *collector) fail(m *member, err error) {
	col.failures = append(col.failures, &AgentError{Name: m.Name, Host: m.Host, Err: err})
	delete(col.waiting, m.Name)
	delete(col.ready, m.Name)
	col.abortRest()
}

// await handles the agents' messages until done holds; when the agents' timeout (tctx) runs out, each agent still
// waited for fails. It returns ctx's error when ctx ends, and a
// *SessionError when the session fails.
func (col *collector) await(ctx, tctx context.Context, done func() bool) error {
	for !done() {
		msg, err := receive(tctx, col.c.mb)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case tctx.Err() != nil:
			for _, name := range col.waitingNames() {
				col.fail(col.waiting[name], fmt.Errorf("%w within %s", ErrNoResult, col.c.opts.Timeout))
			}
			return nil
		case err != nil:
			return &SessionError{Op: "receiving from " + col.c.opts.Control, Err: err}
		}
		col.handle(msg)
	}
	return nil
}

func (col *collector) handle(msg spread.Message) {
	switch m := msg.(type) {
	case *spread.MembershipMessage:
		col.membership(m)
	case *spread.RegularMessage:
		am, ok := Decode(m)
		a := col.waiting[m.Sender]
		if !ok || am.Run != col.run || a == nil {
			return
		}
		switch am.Kind {
		case KindReady:
			col.ready[m.Sender] = true
		case KindSent:
			col.sent(m.Sender, am.Sent)
		case KindResult:
			col.result(a, am)
		}
	}
}

// sent takes what one agent's senders sent in a Duration run and, once
// every senders' agent has said, tells the receivers' agents the total.
func (col *collector) sent(agent string, n int64) {
	if col.sentFrom == nil || col.senders == 0 {
		return
	}
	col.sentFrom[agent] = n
	if len(col.sentFrom) < col.senders {
		return
	}
	var total int64
	for _, v := range col.sentFrom {
		total += v
	}
	col.senders = 0 // told once
	for _, name := range col.waitingNames() {
		if col.waiting[name].Receivers > 0 {
			_ = col.c.send(name, Message{Kind: KindSentTotal, Run: col.run, Sent: total}) // a failure shows as the session's next receive error
		}
	}
}

// membership notices agents that left the control group mid-run.
func (col *collector) membership(m *spread.MembershipMessage) {
	control := col.c.opts.Control
	if m.Group != control || m.Cause == spread.CauseTransition {
		return
	}
	for _, name := range col.waitingNames() {
		if m.IndexOf(name) < 0 {
			col.fail(col.waiting[name], fmt.Errorf("%w: it left control group %s (%s)", ErrAgentLost, control, m.Cause))
		}
	}
}

// result takes an agent's result message.
func (col *collector) result(a *member, am Message) {
	if am.Error != "" {
		col.fail(a, &remoteError{msg: am.Error, reason: am.Refused.sentinel()})
		return
	}
	if am.Result == nil || am.Shipment == nil || am.Result.Unship(*am.Shipment) != nil {
		col.fail(a, ErrBadResult)
		return
	}
	delete(col.waiting, a.Name)
	for i := range am.Result.Clients {
		am.Result.Clients[i].Agent = a.Name
	}
	col.parts = append(col.parts, part{m: a, res: am.Result, garbage: am.Garbage})
}

// remoteError is an error an agent reported, in its own words.
type remoteError struct {
	msg    string
	reason error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.reason }

// sentinel is the error a refusal matches (ErrRunFailed for a run that
// failed, no refusal).
func (r Refusal) sentinel() error {
	switch r {
	case RefusedVersion:
		return ErrVersionMismatch
	case RefusedBusy:
		return ErrBusy
	case RefusedPlan:
		return ErrBadPlan
	}
	return ErrRunFailed
}
