package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/spread"
)

// Defaults of --reconnect-wait and --reconnect-max-wait.
const (
	DefaultReconnectWait    = 250 * time.Millisecond
	DefaultReconnectMaxWait = 10 * time.Second
)

// ReconnectOptions are the flags of the commands whose session survives
// its daemon (listen, join --watch).
type ReconnectOptions struct {
	Enabled bool          // --reconnect
	Wait    time.Duration // pause after the first round that reached no daemon
	MaxWait time.Duration // the pause doubles each round up to this
}

// addReconnectFlags registers --reconnect, --reconnect-wait and
// --reconnect-max-wait on cmd.
func addReconnectFlags(cmd *cobra.Command, o *ReconnectOptions) {
	fl := cmd.Flags()
	fl.BoolVar(&o.Enabled, "reconnect", false,
		"when the daemon goes away, connect again (next daemon of -s first), rejoin the groups and report the gap")
	fl.DurationVar(&o.Wait, "reconnect-wait", DefaultReconnectWait,
		"pause after a round of -s that reached no daemon; doubles each round")
	fl.DurationVar(&o.MaxWait, "reconnect-max-wait", DefaultReconnectMaxWait, "longest pause between reconnect rounds")
	positiveDurations(cmd, "reconnect-wait", "reconnect-max-wait")
}

// readReconnectFlags validates the reconnect flags after parsing.
func readReconnectFlags(cmd *cobra.Command, o *ReconnectOptions) error {
	if !o.Enabled {
		for _, name := range []string{"reconnect-wait", "reconnect-max-wait"} {
			if cmd.Flags().Changed(name) {
				return usageErrorf("--%s has no effect without --reconnect", name)
			}
		}
		return nil
	}
	if o.Wait <= 0 {
		return usageErrorf("invalid --reconnect-wait %v: allowed is more than 0", o.Wait)
	}
	if o.MaxWait < o.Wait {
		return usageErrorf("invalid --reconnect-max-wait %v: allowed is --reconnect-wait (%v) or more", o.MaxWait, o.Wait)
	}
	return nil
}

// reconnectInfo is what a reconnected event reports: the gap, and where the
// session was before and is now.
type reconnectInfo struct {
	OldDaemon, NewDaemon   string
	OldPrivate, NewPrivate string
	LostAt, At             time.Time
	Reason                 string // why the old session ended
}

// survivingSession is a joined session that, with --reconnect, outlives its
// daemon: when the connection is lost it connects again, trying the daemons
// of -s from the one after the lost one, rejoins the groups and returns a
// reconnected event from Receive. Rejections are not retried. Without
// --reconnect it is the joined session unchanged.
type survivingSession struct {
	*joinedSession // the current session; replaced on reconnect

	// ctx is the run's: reconnecting ends with it, not with the idle
	// limit of one Receive.
	ctx     context.Context
	f       *Factory
	conn    *ConnOptions
	policy  ReconnectOptions
	groups  []string
	servers []string
	cur     int               // index in servers of the current daemon
	notice  func(line string) // a line on stderr; nil: quiet
}

// joinSurviving connects and joins like connectAndJoin and wraps the
// session so that it survives its daemon when policy asks. With
// --reconnect the first connect is retried too (see connectRetrying).
func joinSurviving(ctx context.Context, f *Factory, o *ConnOptions, policy ReconnectOptions, groups []string, notice func(string)) (*survivingSession, error) {
	s := &survivingSession{ctx: ctx, f: f, conn: o, policy: policy, groups: groups, servers: o.serverList(), notice: notice}
	if !policy.Enabled {
		js, i, err := connectAndJoin(ctx, f, o, groups, true)
		if err != nil {
			return nil, err
		}
		s.joinedSession, s.cur = js, i
		return s, nil
	}
	if err := checkGroups(groups, checkJoinGroup); err != nil {
		return nil, invalidValue(err)
	}
	if err := s.connectRetrying(); err != nil {
		return nil, err
	}
	return s, nil
}

// connectRetrying makes the first connection of a --reconnect run: rounds
// over -s with the backoff a lost daemon gets, for as long as a connect may
// take (--timeout, else DefaultConnectTimeout), so a listener may start
// before its daemon. Running out of time is a connect failure saying how
// long it tried; a rejection ends it at once.
func (s *survivingSession) connectRetrying() error {
	limit := s.conn.ConnectTimeout()
	ctx, cancel := context.WithTimeout(s.ctx, limit)
	defer cancel()
	rounds, last := 0, ""
	err := s.rounds(ctx, 0, func(round int, why string) string {
		rounds, last = round+1, why
		return "no daemon answered yet"
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() == nil:
		return err // a rejection, or a bad name or user
	case last == "":
		last = err.Error()
	}
	what := fmt.Sprintf("no daemon answered within %v", limit)
	if s.ctx.Err() != nil && !errors.Is(s.ctx.Err(), context.DeadlineExceeded) {
		what = "interrupted before a daemon answered"
	}
	return connectFailed(fmt.Errorf("%s (%s, %s): %s", what, strings.Join(s.servers, ","), english.Count(max(rounds, 1), "round"), last))
}

// Receive returns the next event; with --reconnect a lost connection is
// replaced by a new one and reported as a reconnected event.
func (s *survivingSession) Receive(ctx context.Context) (*event, error) {
	e, err := s.joinedSession.Receive(ctx)
	if err == nil || !s.policy.Enabled || ExitCode(err) != ExitConnectLost || s.ctx.Err() != nil {
		return e, err
	}
	return s.reconnect(err)
}

// reconnect replaces the lost session. It ends only with a new session, a
// rejection, or the end of the run.
func (s *survivingSession) reconnect(cause error) (*event, error) {
	info := &reconnectInfo{OldDaemon: s.server, OldPrivate: s.me, LostAt: s.f.Now(), Reason: cause.Error()}
	s.joinedSession.Disconnect()
	s.say(fmt.Sprintf("lost %s (%v); reconnecting", s.server, cause))
	if err := s.rounds(s.ctx, (s.cur+1)%len(s.servers), func(round int, _ string) string {
		return fmt.Sprintf("reconnect round %d failed", round+1)
	}); err != nil {
		return nil, err
	}
	info.NewDaemon, info.NewPrivate, info.At = s.server, s.me, s.f.Now()
	return &event{Kind: KindReconnected, Reconnect: info}, nil
}

// rounds connects and joins through the first daemon of -s that answers,
// starting at index from, round after round with the policy's backoff,
// until one answers (it becomes the session), ctx ends or a daemon
// rejects the session. Each failed round (from 0) and its failure are
// handed to failed, whose words head the round's line on stderr.
func (s *survivingSession) rounds(ctx context.Context, from int, failed func(round int, why string) string) error {
	n := len(s.servers)
	order := append(append([]string(nil), s.servers[from:]...), s.servers[:from]...)
	var last string // the previous round's failure, said once
	return spread.Backoff{Wait: s.policy.Wait, MaxWait: s.policy.MaxWait}.Retry(ctx, func() error {
		js, i, err := joinFirst(ctx, s.f, s.conn, order, s.groups, true)
		if err == nil {
			s.joinedSession, s.cur = js, (from+i)%n
		}
		return err
	}, func(err error) bool { return !retryable(err) }, func(round int, err error, wait time.Duration) {
		head := failed(round, err.Error())
		why := err.Error()
		if why == last {
			why = "as before"
		}
		last = err.Error()
		s.say(fmt.Sprintf("%s (%s); next round in %v", head, why, wait.Round(time.Millisecond)))
	})
}

func (s *survivingSession) say(line string) {
	if s.notice != nil {
		s.notice(line)
	}
}
