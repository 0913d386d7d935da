package spread_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// TestBackoffDoublesUpToCap: Wait, doubled each round, never above
// MaxWait, however many rounds; Pause adds at most a quarter.
func TestBackoffDoublesUpToCap(t *testing.T) {
	b := spread.Backoff{Wait: 100 * time.Millisecond, MaxWait: time.Second}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second}
	for round, w := range want {
		if got := b.Base(round); got != w {
			t.Fatalf("round %d: pause %v, want %v", round, got, w)
		}
	}
	if p := b.Base(1 << 20); p != time.Second {
		t.Errorf("pause after many rounds %v", p)
	}
	for range 100 {
		if j := b.Pause(9); j < time.Second || j >= 1250*time.Millisecond {
			t.Fatalf("jittered pause %v outside [1s, 1.25s)", j)
		}
	}
	if p := (spread.Backoff{Wait: 3, MaxWait: 3}).Pause(0); p != 3 {
		t.Errorf("a pause too short to jitter: %v, want it unchanged", p)
	}
}

// TestRejected: refusals for who the client is end reconnecting; a full
// daemon, a lost connection and other errors do not.
func TestRejected(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{spread.ErrRejectNotUnique, true},
		{fmt.Errorf("joining: %w", &spread.Error{Code: spread.RejectAuth, Op: "connect"}), true},
		{spread.ErrRejectVersion, true},
		{spread.ErrRejectNoName, true},
		{spread.ErrRejectIllegalName, true},
		{spread.ErrRejectQuota, false},
		{spread.ErrCouldNotConnect, false},
		{spread.ErrConnectionClosed, false},
		{fmt.Errorf("not spread's"), false},
		{nil, false},
	} {
		if got := spread.Rejected(c.err); got != c.want {
			t.Errorf("Rejected(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// TestRetryUntilSuccess: failed rounds are reported with growing pauses,
// and Retry ends with the round that succeeds.
func TestRetryUntilSuccess(t *testing.T) {
	b := spread.Backoff{Wait: time.Microsecond, MaxWait: 4 * time.Microsecond}
	tries := 0
	var rounds []int
	var waits []time.Duration
	err := b.Retry(context.Background(), func() error {
		if tries++; tries < 4 {
			return spread.ErrCouldNotConnect
		}
		return nil
	}, nil, func(round int, err error, wait time.Duration) {
		if !errors.Is(err, spread.ErrCouldNotConnect) {
			t.Errorf("round %d reported %v", round, err)
		}
		rounds, waits = append(rounds, round), append(waits, wait)
	})
	if err != nil || tries != 4 || fmt.Sprint(rounds) != "[0 1 2]" {
		t.Fatalf("err %v after %d tries, rounds reported %v", err, tries, rounds)
	}
	for i, w := range waits {
		if base := b.Base(i); w < base || w > base+base/4 {
			t.Errorf("wait after round %d: %v, want %v plus at most a quarter", i, w, base)
		}
	}
}

// TestRetryGivesUp: a rejection ends Retry at once by default, final
// decides otherwise, and the end of ctx ends the wait.
func TestRetryGivesUp(t *testing.T) {
	b := spread.Backoff{Wait: time.Microsecond, MaxWait: time.Microsecond}
	tries := 0
	err := b.Retry(context.Background(), func() error { tries++; return spread.ErrRejectNotUnique }, nil, nil)
	if !errors.Is(err, spread.ErrRejectNotUnique) || tries != 1 {
		t.Errorf("rejection: %v after %d tries", err, tries)
	}
	errMine := errors.New("mine")
	tries = 0
	err = b.Retry(context.Background(), func() error { tries++; return errMine }, func(err error) bool { return err == errMine }, nil)
	if err != errMine || tries != 1 {
		t.Errorf("final error: %v after %d tries", err, tries)
	}
	ctx, cancel := context.WithCancel(context.Background())
	slow := spread.Backoff{Wait: time.Hour, MaxWait: time.Hour}
	err = slow.Retry(ctx, func() error { return spread.ErrCouldNotConnect }, nil, func(int, error, time.Duration) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled during the pause: %v", err)
	}
	err = b.Retry(ctx, func() error { return spread.ErrCouldNotConnect }, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("ctx ended before the first round: %v", err)
	}
}
