package agent

import (
	"cmp"
	"context"
	"errors"
	"os"
	"slices"
	"sync"

	"github.com/spgo/spgo/pkg/spread"
)

// Agent waits in a control group and carries out the plans coordinators
// send it, one run at a time. Its fields are read by Serve; set them
// before.
type Agent struct {
	// Daemon is the daemon the flood's sessions connect to, as dialled
	// (the agent's own, normally); coordinators see it in the hello.
	Daemon string
	// Control is the control group (default DefaultControlGroup).
	Control string
	// Host names the agent's host to coordinators (default os.Hostname).
	Host string
	// Version is the agent's spgo version (default this build's): a plan
	// from a coordinator of another version is refused.
	Version string
	// Options are passed to every session of a flood (a timeout, a
	// dialer...).
	Options []spread.Option
	// OnEvent, if set, is told what the agent does, one event at a time.
	OnEvent func(Event)
}

// server is one Serve: the agent's state while it serves.
type server struct {
	Agent
	mb      *spread.Mailbox
	name    string // the agent's private group
	eventMu sync.Mutex

	mu      sync.Mutex
	run     string             // the run in progress, "" when idle
	cancel  context.CancelFunc // ends it
	release chan struct{}      // closed by the run's KindStart; nil when it holds no senders
	total   chan int64         // takes the run's KindSentTotal; nil once it has
	garbage int64
}

// Serve joins the control group on mb and answers coordinators until ctx
// ends (then it aborts the run in progress, waits for it and returns nil)
// or the session fails (a *SessionError). mb's private group is the
// agent's name. EventReady comes once the daemon has delivered the
// agent's own join, so mb must get membership messages (Spread's default):
// a coordinator's message sent after it reaches the agent.
func (a *Agent) Serve(ctx context.Context, mb *spread.Mailbox) error {
	s := &server{Agent: *a, mb: mb, name: mb.PrivateGroup()}
	s.Control = cmp.Or(s.Control, DefaultControlGroup)
	s.Version = cmp.Or(s.Version, buildVersion())
	if s.Host == "" {
		s.Host, _ = os.Hostname()
	}
	if err := mb.Join(s.Control); err != nil {
		return &SessionError{Op: "joining " + s.Control, Err: err}
	}
	var runs sync.WaitGroup
	defer runs.Wait()
	ready := false
	for {
		msg, err := mb.ReceiveContext(ctx)
		if err != nil {
			if s.skippable(ctx, err) {
				continue
			}
			s.abort("")
			if ctx.Err() != nil {
				return nil // the agent's normal end
			}
			return &SessionError{Op: "receiving from " + s.Control, Err: err}
		}
		switch m := msg.(type) {
		case *spread.RegularMessage:
			s.handle(ctx, m, &runs)
		case *spread.MembershipMessage:
			ready = s.sawOwnJoin(m, ready)
		}
	}
}

// sawOwnJoin reports whether the agent is ready: already, or from m, the
// first view of the control group with the agent in it, which is its own
// join (then it says so to OnEvent). Later views say nothing to an agent.
func (s *server) sawOwnJoin(m *spread.MembershipMessage, ready bool) bool {
	if ready || m.Group != s.Control || !slices.Contains(m.Members, s.name) {
		return ready
	}
	s.event(Event{Kind: EventReady})
	return true
}

// skippable reports whether a receive error was one undecodable message
// the session survives: garbage, counted.
func (s *server) skippable(ctx context.Context, err error) bool {
	if ctx.Err() != nil || !errors.Is(err, spread.ErrIllegalMessage) {
		return false
	}
	if _, perr := s.mb.Poll(); perr != nil {
		return false
	}
	s.countGarbage()
	return true
}

// handle answers one message on the control group (or addressed to the
// agent).
func (s *server) handle(ctx context.Context, rm *spread.RegularMessage, runs *sync.WaitGroup) {
	m, ok := Decode(rm)
	switch {
	case !ok:
		s.countGarbage()
	case m.Kind == KindProbe:
		s.reply(rm.Sender, Message{Kind: KindHello, Run: m.Run, Host: s.Host, Daemon: s.Daemon, Busy: s.current()})
	case m.Kind == KindPlan:
		s.start(ctx, rm.Sender, m, runs)
	case m.Kind == KindStart:
		s.startHeld(m.Run)
	case m.Kind == KindSentTotal:
		s.sentTotal(m.Run, m.Sent)
	case m.Kind == KindAbort:
		s.abort(m.Run)
	default:
		s.countGarbage()
	}
}

// current is the run in progress ("" when idle).
func (s *server) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.run
}

func (s *server) countGarbage() {
	s.mu.Lock()
	s.garbage++
	s.mu.Unlock()
	s.event(Event{Kind: EventGarbage})
}

// abort ends the run in progress (any run when run is "").
func (s *server) abort(run string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil && (run == "" || run == s.run) {
		s.cancel()
	}
}

// startHeld starts the senders the run holds (see Plan.HoldSenders).
func (s *server) startHeld(run string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release != nil && run == s.run {
		close(s.release)
		s.release = nil
	}
}

// sentTotal hands the run's receivers what every sender sent.
func (s *server) sentTotal(run string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.total != nil && run == s.run {
		s.total <- n // buffered for one, and set to nil after it
		s.total = nil
	}
}

// reply sends m to a coordinator; a failure is reported as an event (the
// session's own failure ends Serve at its next receive).
func (s *server) reply(to string, m Message) {
	if err := send(s.mb, to, s.Version, m); err != nil {
		s.event(Event{Kind: EventSendFailed, Run: m.Run, Err: err})
	}
}

func (s *server) event(e Event) {
	if s.OnEvent == nil {
		return
	}
	e.Name, e.Control = s.name, s.Control
	s.eventMu.Lock()
	defer s.eventMu.Unlock()
	s.OnEvent(e)
}
