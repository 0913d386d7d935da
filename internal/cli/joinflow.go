package cli

import (
	"context"
	"fmt"
	"slices"
)

// joinedSession is a session that has joined its groups and may still be
// waiting for the notices of its own joins; join, listen and poll share it.
// A session without membership messages gets no notices, so it waits for
// none.
type joinedSession struct {
	Session
	server  string // the daemon, as -s named it
	me      string
	pending map[string]bool // groups whose own-join notice has not arrived
}

// connectAndJoin checks the group names, connects to the first daemon of
// -s that answers and joins every group; it returns the session and that
// daemon's index in -s.
func connectAndJoin(ctx context.Context, f *Factory, o *ConnOptions, groups []string, membership bool) (*joinedSession, int, error) {
	if err := checkGroups(groups, checkJoinGroup); err != nil {
		return nil, 0, invalidValue(err)
	}
	return joinFirst(ctx, f, o, o.serverList(), groups, membership)
}

// joinFirst connects to the first of servers that answers (see dialFirst)
// and joins every group; it returns the session and that daemon's index.
func joinFirst(ctx context.Context, f *Factory, o *ConnOptions, servers, groups []string, membership bool) (*joinedSession, int, error) {
	s, i, err := dialFirst(ctx, f, o, servers, membership)
	if err != nil {
		return nil, i, err
	}
	js := &joinedSession{Session: s, server: servers[i], me: s.PrivateGroup(), pending: make(map[string]bool, len(groups))}
	for _, g := range groups {
		if err := s.Join(g); err != nil {
			s.Disconnect()
			return nil, i, lost(fmt.Errorf("joining %s: %w", g, err))
		}
		if membership {
			js.pending[g] = true
		}
	}
	return js, i, nil
}

// ownJoin reports whether e is the awaited notice of one of our own joins,
// and marks that group as joined.
func (s *joinedSession) ownJoin(e *event) bool {
	if !s.pending[e.Group] || !isOwnJoin(e, s.me) {
		return false
	}
	delete(s.pending, e.Group)
	return true
}

// joined reports whether every join has been confirmed.
func (s *joinedSession) joined() bool { return len(s.pending) == 0 }

// writeReadyFile writes the private group name to path, if one is given,
// for scripts that wait until the session is in its groups.
func (s *joinedSession) writeReadyFile(path string) error {
	if path == "" {
		return nil
	}
	return writeFileAtomic(path, []byte(s.me+"\n"))
}

// isOwnJoin reports whether e is the membership message announcing that
// the session with private group me joined a group.
func isOwnJoin(e *event, me string) bool {
	return e.Kind == KindMembership && e.Cause == "join" && slices.Contains(e.Changed, me)
}
