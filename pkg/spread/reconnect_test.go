package spread_test

import (
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
