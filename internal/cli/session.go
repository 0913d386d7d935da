package cli

import (
	"context"
	"errors"
	"fmt"
)

// errSkipped marks a received message that could not be decoded and was
// skipped; the session goes on, so commands warn and keep receiving.
var errSkipped = errors.New("skipped a message that could not be decoded")

// warnSkipped prints the one-line warning for a skipped message and
// reports whether err was one.
func warnSkipped(f *Factory, err error) bool {
	if !errors.Is(err, errSkipped) {
		return false
	}
	fmt.Fprintf(f.IOStreams.ErrOut, "spgo: warning: %s\n", err)
	return true
}

// errConnectionLost marks a session that died under a command (exit 5).
var errConnectionLost = errors.New("connection to the daemon lost")

// openSession checks the connection flags and connects. Connect failures
// and rejections carry the daemon's reason.
func openSession(ctx context.Context, f *Factory, o *ConnOptions, membership bool) (Session, error) {
	if err := checkUser(o.User); err != nil {
		return nil, invalidValue(err)
	}
	cctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout())
	defer cancel()
	s, err := f.Connect(cctx, ConnectRequest{Server: o.Server, User: o.User, Timeout: o.ConnectTimeout(), Membership: membership})
	if err != nil {
		return nil, connectFailed(fmt.Errorf("connecting to %s: %w", o.Server, err))
	}
	return s, nil
}

// lost wraps a receive or send error: a dead session exits 5, anything
// else keeps its own classification.
func lost(err error) error {
	if err == nil {
		return nil
	}
	if ExitCode(err) == ExitConnectLost {
		return connectionLost(fmt.Errorf("%w: %w", errConnectionLost, err))
	}
	return err
}

// isOwnJoin reports whether e is the membership message announcing that
// the session with private group me joined a group.
func isOwnJoin(e *event, me string) bool {
	if e.Kind != KindMembership || e.Cause != "join" {
		return false
	}
	for _, c := range e.Changed {
		if c == me {
			return true
		}
	}
	return false
}
