package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

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
// session so that it survives its daemon when policy asks.
func joinSurviving(ctx context.Context, f *Factory, o *ConnOptions, policy ReconnectOptions, groups []string, notice func(string)) (*survivingSession, error) {
	js, i, err := connectAndJoin(ctx, f, o, groups, true)
	if err != nil {
		return nil, err
	}
	return &survivingSession{joinedSession: js, ctx: ctx, f: f, conn: o, policy: policy,
		groups: groups, servers: o.serverList(), cur: i, notice: notice}, nil
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
	n := len(s.servers)
	from := (s.cur + 1) % n
	order := append(append([]string(nil), s.servers[from:]...), s.servers[:from]...)
	var last string // the previous round's failure, said once
	err := spread.Backoff{Wait: s.policy.Wait, MaxWait: s.policy.MaxWait}.Retry(s.ctx, func() error {
		js, i, err := joinFirst(s.ctx, s.f, s.conn, order, s.groups, true)
		if err == nil {
			s.joinedSession, s.cur = js, (from+i)%n
		}
		return err
	}, func(err error) bool { return !retryable(err) }, func(round int, err error, wait time.Duration) {
		why := err.Error()
		if why == last {
			why = "as before"
		}
		last = err.Error()
		s.say(fmt.Sprintf("reconnect round %d failed (%s); next round in %v", round+1, why, wait.Round(time.Millisecond)))
	})
	if err != nil {
		return nil, err
	}
	info.NewDaemon, info.NewPrivate, info.At = s.server, s.me, s.f.Now()
	return &event{Kind: KindReconnected, Reconnect: info}, nil
}

func (s *survivingSession) say(line string) {
	if s.notice != nil {
		s.notice(line)
	}
}
