package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spgo/spgo/pkg/spread"
)

// openSession checks the connection flags and connects to the first
// daemon of -s that answers. Connect failures and rejections carry the
// daemon's reason.
func openSession(ctx context.Context, f *Factory, o *ConnOptions, membership bool) (Session, error) {
	s, _, err := dialFirst(ctx, f, o, o.serverList(), membership)
	return s, err
}

// dialFirst connects to the first of servers that answers and returns the
// session and that daemon's index. A daemon that cannot be reached is
// skipped; one that rejects us (name not unique, version, authentication)
// has answered, so the attempt ends with its refusal, as it does for a bad
// name. Each daemon gets the whole connect timeout.
func dialFirst(ctx context.Context, f *Factory, o *ConnOptions, servers []string, membership bool) (Session, int, error) {
	if err := checkUser(o.User); err != nil {
		return nil, -1, invalidValue(err)
	}
	var failed []string
	for i, server := range servers {
		s, err := dialOne(ctx, f, o, server, membership)
		if err == nil {
			return s, i, nil
		}
		if len(servers) == 1 || !retryable(err) || ctx.Err() != nil {
			return nil, i, err
		}
		failed = append(failed, err.Error())
	}
	return nil, -1, connectFailed(fmt.Errorf("no daemon answered: %s", strings.Join(failed, "; ")))
}

// dialOne connects to one daemon within the connect timeout.
func dialOne(ctx context.Context, f *Factory, o *ConnOptions, server string, membership bool) (Session, error) {
	cctx, cancel := context.WithTimeout(ctx, o.ConnectTimeout())
	defer cancel()
	s, err := f.Connect(cctx, ConnectRequest{Server: server, User: o.User, Timeout: o.ConnectTimeout(), Membership: membership})
	if err != nil {
		return nil, connectFailed(fmt.Errorf("connecting to %s: %w", server, err))
	}
	return s, nil
}

// retryable reports whether a failed connect may succeed at another daemon
// or later: not when the daemon refused us for who we are or the name
// given was bad.
func retryable(err error) bool {
	return ExitCode(err) != ExitUsage && !spread.Rejected(err)
}
