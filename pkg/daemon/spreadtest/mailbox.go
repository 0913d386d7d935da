package spreadtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// Connect connects a mailbox to the daemon named daemonName (as
// spread.Connect takes it: a Daemon's SpreadName, one of a RingTarget's
// Daemons, the value Daemon returns) and registers its Disconnect with
// t.Cleanup. It fails the test if the mailbox cannot connect. Call it
// after starting the daemon with Run or Ring, so that the mailbox
// disconnects before the daemon stops.
func Connect(t testing.TB, daemonName string, opts ...spread.Option) *spread.Mailbox {
	t.Helper()
	mb, err := spread.Connect(daemonName, opts...)
	if err != nil {
		t.Fatalf("spreadtest: connect to %s: %v", daemonName, err)
	}
	t.Cleanup(func() {
		if err := mb.Disconnect(); err != nil {
			t.Errorf("spreadtest: disconnect %s: %v", mb.PrivateGroup(), err)
		}
	})
	return mb
}

// NextMembership returns the next membership message mb receives within
// timeout, skipping (and losing) the data and reject messages before it.
// It fails the test, listing what arrived instead, when none comes in
// time or the mailbox fails. Like t.Fatal, call it from the test's
// goroutine.
func NextMembership(t testing.TB, mb *spread.Mailbox, timeout time.Duration) *spread.MembershipMessage {
	t.Helper()
	return next[*spread.MembershipMessage](t, mb, timeout, "membership message")
}

// NextMessage returns the next data message (a *spread.RegularMessage) mb
// receives within timeout, skipping (and losing) the membership and
// reject messages before it. It fails the test, listing what arrived
// instead, when none comes in time or the mailbox fails. Like t.Fatal,
// call it from the test's goroutine.
func NextMessage(t testing.TB, mb *spread.Mailbox, timeout time.Duration) *spread.RegularMessage {
	t.Helper()
	return next[*spread.RegularMessage](t, mb, timeout, "data message")
}

// next receives until a message of type M arrives.
func next[M spread.Message](t testing.TB, mb *spread.Mailbox, timeout time.Duration, want string) M {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var skipped []string
	for {
		msg, err := mb.ReceiveContext(ctx)
		if err != nil {
			arrived := "nothing"
			if len(skipped) > 0 {
				arrived = strings.Join(skipped, "; ")
			}
			var zero M
			t.Fatalf("spreadtest: %s: no %s within %v (%v); arrived instead: %s", mb.PrivateGroup(), want, timeout, err, arrived)
			return zero
		}
		if m, ok := msg.(M); ok {
			return m
		}
		skipped = append(skipped, Describe(msg))
	}
}

// maxShown is how many bytes of a message's data Describe shows.
const maxShown = 40

// Describe is a one-line account of a received message, for test
// failures: "data from #a#d1 to [chat]: \"hello\"", "membership join of
// chat: [#a#d1 #b#d2]".
func Describe(msg spread.Message) string {
	switch m := msg.(type) {
	case *spread.RegularMessage:
		return fmt.Sprintf("data from %s to %v: %q", m.Sender, m.Groups, shorten(m.Data))
	case *spread.MembershipMessage:
		return fmt.Sprintf("membership %s of %s: %v", m.Cause, m.Group, m.Members)
	case *spread.RejectMessage:
		return fmt.Sprintf("reject of a message from %s to %v: %q", m.Sender, m.Groups, shorten(m.Data))
	}
	return fmt.Sprintf("%T", msg)
}

func shorten(b []byte) string {
	if len(b) > maxShown {
		return string(b[:maxShown]) + "..."
	}
	return string(b)
}
