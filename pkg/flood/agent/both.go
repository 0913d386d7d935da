package agent

import (
	"context"
	"errors"

	"github.com/spgo/spgo/pkg/flood"
)

// links tie a run's floods to its coordinator.
type links struct {
	start chan struct{} // closed by KindStart: held senders may start (nil: none held)
	total chan int64    // KindSentTotal: what every sender sent, for read-only receivers of a Duration run
	// sent, if set, tells the coordinator what this agent's senders sent
	// once they are done (KindSent).
	sent func(n int64)
}

// tellSent passes on what the senders' flood sr sent, if asked to.
func (l links) tellSent(sr *flood.ServiceResult) {
	if l.sent != nil && sr != nil {
		l.sent(sr.Sent)
	}
}

// runParts runs a plan's floods (from planFloods) and returns its one
// service type's result: the flood's own, or both parts merged.
func runParts(ctx context.Context, parts []flood.Config, l links) (*flood.ServiceResult, error) {
	if len(parts) == 2 {
		return runBoth(ctx, parts[0], parts[1], l)
	}
	sr, err := firstService(flood.Run(ctx, parts[0]))
	if parts[0].Mode != flood.ModeReadOnly {
		l.tellSent(sr)
	}
	return sr, err
}

// firstService is a one-service run's result, nil when there is none.
func firstService(res *flood.Results, err error) (*flood.ServiceResult, error) {
	if res == nil || len(res.Services) == 0 {
		return nil, err
	}
	return &res.Services[0], err
}

// outcome is what one flood gave.
type outcome struct {
	sr  *flood.ServiceResult
	err error
}

// runBoth runs an agent's receivers (recv) and senders (send) side by
// side: the receivers join first (recv.Ready tells the coordinator), the
// senders start when start is closed, once every receiver of the team is
// in the group. The result merges both parts as the coordinator merges
// agents'; without a senders' part (aborted before the start, or the
// senders' flood failed) it is the receivers' part alone, with nothing
// sent.
func runBoth(ctx context.Context, recv, send flood.Config, l links) (*flood.ServiceResult, error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	joined, ready := make(chan struct{}), recv.Ready
	recv.Ready = func() {
		close(joined)
		if ready != nil {
			ready()
		}
	}
	done := make(chan outcome, 1)
	go func() {
		sr, err := firstService(flood.Run(rctx, recv))
		done <- outcome{sr, err}
	}()
	select {
	case <-joined:
	case got := <-done: // the receivers failed before they joined
		return got.sr, got.err
	}
	var sent *flood.ServiceResult
	var serr error
	select {
	case <-l.start:
		if sent, serr = firstService(flood.Run(ctx, send)); sent == nil {
			cancel() // the receivers would wait for what never comes
		}
		l.tellSent(sent)
	case <-ctx.Done():
	}
	got := <-done
	err := errors.Join(got.err, serr)
	if got.sr == nil {
		return sent, err
	}
	// Merged even alone: a read-only part's Sent is what it expected,
	// and this agent's Sent is what its own senders sent.
	parts := []*flood.ServiceResult{got.sr}
	if sent != nil {
		parts = append(parts, sent)
	}
	return flood.Merge(recv.Services[0], recv.Size, parts), err
}
