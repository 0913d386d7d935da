package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// Info is an agent as its hello describes it.
type Info struct {
	Name    string // its private group
	Host    string
	Daemon  string // the daemon its sessions connect to, as it dials it
	Version string // its spgo version
}

// reprobe is how often Find asks again while it waits: an agent that
// joins the control group later still answers.
const reprobe = 200 * time.Millisecond

// Find probes the control group until n idle agents have answered and
// returns them in private-name order (the order Roles numbers them in).
// It returns a *TooFewAgentsError when Options.Wait runs out first, the
// context's error (wrapped) when ctx ends, and a *SessionError when the
// session fails.
func (c *Coordinator) Find(ctx context.Context, n int) ([]Info, error) {
	if n < 1 {
		return nil, fmt.Errorf("agent: Find %d agents: want 1 or more", n)
	}
	wctx, cancel := context.WithTimeout(ctx, c.opts.Wait)
	defer cancel()
	found := map[string]Info{}
	busy := map[string]bool{}
	next := time.Now()
	for len(found) < n {
		if !time.Now().Before(next) {
			if err := c.send(c.opts.Control, Message{Kind: KindProbe, Run: c.id}); err != nil {
				return nil, err
			}
			next = time.Now().Add(reprobe)
		}
		msg, err := receiveUntil(wctx, c.mb, next)
		switch {
		case wctx.Err() != nil && ctx.Err() != nil:
			return nil, fmt.Errorf("looking for agents: %w", ctx.Err())
		case wctx.Err() != nil:
			return nil, &TooFewAgentsError{Found: len(found), Want: n, Busy: len(busy), Wait: c.opts.Wait, Control: c.opts.Control}
		case err != nil:
			return nil, &SessionError{Op: "receiving from " + c.opts.Control, Err: err}
		case msg != nil:
			c.noteHello(msg, found, busy)
		}
	}
	agents := make([]Info, 0, len(found))
	for _, a := range found {
		agents = append(agents, a)
	}
	slices.SortFunc(agents, func(x, y Info) int { return strings.Compare(x.Name, y.Name) })
	return agents, nil
}

// receiveUntil receives the next message, or nil with no error when
// deadline comes first.
func receiveUntil(ctx context.Context, mb *spread.Mailbox, deadline time.Time) (spread.Message, error) {
	rctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	msg, err := receive(rctx, mb)
	if err != nil && rctx.Err() != nil {
		return nil, nil // the deadline, or ctx's end, which the caller sees
	}
	return msg, err
}

// receive is mb.ReceiveContext, except that a read that times out is
// ctx's timeout all the same: pkg/spread puts ctx's deadline on the
// socket, and the read can time out a moment before ctx reports it.
func receive(ctx context.Context, mb *spread.Mailbox) (spread.Message, error) {
	msg, err := mb.ReceiveContext(ctx)
	var ne net.Error
	if _, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return msg, err
}

// noteHello records an answer to this coordinator's probe.
func (c *Coordinator) noteHello(msg spread.Message, found map[string]Info, busy map[string]bool) {
	rm, ok := msg.(*spread.RegularMessage)
	if !ok {
		return
	}
	m, ok := Decode(rm)
	if !ok || m.Kind != KindHello || m.Run != c.id {
		return
	}
	if m.Busy != "" {
		busy[rm.Sender] = true
		return
	}
	delete(busy, rm.Sender)
	found[rm.Sender] = Info{Name: rm.Sender, Host: m.Host, Daemon: m.Daemon, Version: m.Version}
}
