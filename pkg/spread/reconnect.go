package spread

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// Rejected reports whether err is a daemon refusing a session for who it
// is (its name, its version, its credentials): asking again, at that
// daemon or another of the same ring, gets the same answer, so a client
// that reconnects should give up. A full daemon (REJECT_QUOTA) is not
// among them: another may have room.
func Rejected(err error) bool {
	var se *Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case RejectNoName, RejectIllegalName, RejectNotUnique, RejectVersion, RejectAuth:
		return true
	}
	return false
}

// Backoff paces a client that reconnects: after a round of attempts (say,
// each daemon of a ring once) that reached no daemon it waits Wait, and
// twice as long after each further round, never longer than MaxWait.
// Wait should be more than 0 and MaxWait at least Wait.
type Backoff struct {
	Wait    time.Duration // the pause after the first round
	MaxWait time.Duration // the longest pause
}

// Base is the pause after round (0 for the first) without jitter: Wait,
// doubled each round, never above MaxWait.
func (b Backoff) Base(round int) time.Duration {
	d := b.Wait
	for range round {
		if d >= b.MaxWait/2 {
			return b.MaxWait
		}
		d *= 2
	}
	return min(d, b.MaxWait)
}

// Pause is Base(round) plus up to a quarter of it at random, so clients
// that lost one daemon together do not all come back in the same instant.
func (b Backoff) Pause(round int) time.Duration {
	d := b.Base(round)
	if q := int64(d / 4); q > 0 {
		return d + time.Duration(rand.Int64N(q))
	}
	return d
}

// Retry calls try once per round until it returns nil, ctx ends (then it
// returns ctx's error), or try fails with an error final calls not worth
// retrying (nil final: Rejected). Between rounds it waits Pause(round);
// failed, when not nil, hears each failed round (from 0), its error and
// the wait before the next.
func (b Backoff) Retry(ctx context.Context, try func() error, final func(error) bool, failed func(round int, err error, wait time.Duration)) error {
	if final == nil {
		final = Rejected
	}
	for round := 0; ; round++ {
		err := try()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case final(err):
			return err
		}
		wait := b.Pause(round)
		if failed != nil {
			failed(round, err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
