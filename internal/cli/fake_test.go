package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/pkg/spread"
)

// errFakeClosed is pkg/spread's CONNECTION_CLOSED for a daemon that hung
// up (it wraps io.EOF), so the shell's end-of-input handling and the exit
// code are tested against the error a session really gets.
var errFakeClosed error = &spread.Error{Code: spread.ConnectionClosed, Op: "receive", Err: io.EOF}

type fakeSent struct {
	service     string
	selfDiscard bool
	groups      []string
	data        string
	msgType     int16
}

// fakeSession is a loopback Session: joining announces the join, sending
// to a joined group delivers the message back (unless self-discard).
type fakeSession struct {
	me string

	mu      sync.Mutex
	joined  map[string]bool
	sent    []fakeSent
	sending changeSignal // fired at each Send
	flushes int
	closed  bool
	events  chan *event
	gone    chan struct{} // closed by kill: the "daemon" went away
	killed  bool
	// afterJoin, if set, runs after each join is announced (with the lock held).
	afterJoin func(f *fakeSession, group string)
	// selfDeaf drops messages to the session's own private group.
	selfDeaf bool
}

func newFakeSession(me string) *fakeSession {
	return &fakeSession{me: me, joined: map[string]bool{}, events: make(chan *event, 1000), gone: make(chan struct{})}
}

func (f *fakeSession) PrivateGroup() string { return f.me }

func (f *fakeSession) Join(g string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.joined[g] = true
	f.events <- &event{Kind: KindMembership, Cause: "join", Group: g, GroupID: groupID{2130706433, 1700000000, 1},
		Members: []string{f.me}, Changed: []string{f.me}, VSSets: [][]string{{f.me}}}
	if f.afterJoin != nil {
		f.afterJoin(f, g)
	}
	return nil
}

func (f *fakeSession) Leave(g string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.joined, g)
	f.events <- &event{Kind: KindMembership, Cause: "self-leave", Group: g}
	return nil
}

func (f *fakeSession) Send(service string, sd bool, groups []string, data []byte, t int16) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.killed {
		return errFakeClosed
	}
	f.sent = append(f.sent, fakeSent{service, sd, append([]string(nil), groups...), string(data), t})
	f.sending.fire()
	if sd {
		return nil
	}
	for _, g := range groups {
		if f.joined[g] || (g == f.me && !f.selfDeaf) {
			f.events <- &event{Kind: KindMessage, Service: upper(service), Sender: f.me, Groups: groups, MsgType: t, Data: append([]byte(nil), data...)}
			break
		}
	}
	return nil
}

func (f *fakeSession) Flush() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.flushes++
	return nil
}

func (f *fakeSession) Receive(ctx context.Context) (*event, error) {
	select {
	case e := <-f.events:
		return skipped(e)
	default:
	}
	select {
	case e := <-f.events:
		return skipped(e)
	case <-f.gone:
		return nil, errFakeClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func skipped(e *event) (*event, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: fake", errSkipped)
	}
	return e, nil
}

func (f *fakeSession) Poll() (int, error) {
	n := 0
	if len(f.events) > 0 {
		n = 1
	}
	return n, nil
}

func (f *fakeSession) Disconnect() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// waitSent waits until n messages were sent, woken by each Send; the test
// fails after 10s.
func (f *fakeSession) waitSent(t *testing.T, n int) {
	t.Helper()
	f.sending.await(t, &f.mu, func() bool { return len(f.sent) == n },
		func() string { return fmt.Sprintf("%d messages sent after 10s, want %d", len(f.sent), n) })
}

// kill makes the session die as if the daemon went away.
func (f *fakeSession) kill() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.killed {
		f.killed = true
		close(f.gone)
	}
}

func (f *fakeSession) push(e *event) { f.events <- e }

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}

// testFactory returns a factory over buffers whose Connect hands out sess.
func testFactory(t *testing.T, sess *fakeSession) (*Factory, *testIO) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	f := &Factory{
		IOStreams: ios,
		Now:       func() time.Time { return time.Unix(1700000000, 0) },
		Getenv:    func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] },
		Connect: func(ctx context.Context, req ConnectRequest) (Session, error) {
			if sess == nil {
				return nil, errors.New("no daemon")
			}
			return sess, nil
		},
	}
	so, se := &syncBuffer{b: out}, &syncBuffer{b: errOut}
	ios.Out, ios.ErrOut = so, se
	return f, &testIO{in: in, out: so, err: se}
}

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu      sync.Mutex
	b       *bytes.Buffer
	written changeSignal // fired at each Write
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written.fire()
	return s.b.Write(p)
}

// waitFor waits until the buffer holds want, woken by each write; the
// test fails after 10s.
func (s *syncBuffer) waitFor(t *testing.T, want string) {
	t.Helper()
	s.written.await(t, &s.mu, func() bool { return strings.Contains(s.b.String(), want) },
		func() string { return fmt.Sprintf("no %q in the output after 10s:\n%s", want, s.b.String()) })
}

// changeSignal wakes whoever waits for a change of state that a mutex guards.
type changeSignal struct{ ch chan struct{} } // closed at the next fire; nil while nobody waits

// fire tells the waiters that the state changed; the caller holds the
// state's mutex.
func (g *changeSignal) fire() {
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

// await waits until done, checked with mu held, is true, looking again at
// each fire; after 10s the test fails saying why (also called with mu held).
func (g *changeSignal) await(t *testing.T, mu *sync.Mutex, done func() bool, why func() string) {
	t.Helper()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		mu.Lock()
		if done() {
			mu.Unlock()
			return
		}
		if g.ch == nil {
			g.ch = make(chan struct{})
		}
		next := g.ch
		mu.Unlock()
		select {
		case <-next:
		case <-timeout.C:
			mu.Lock()
			msg := why()
			mu.Unlock()
			t.Fatal(msg)
		}
	}
}

func (s *syncBuffer) WriteString(p string) (int, error) { return s.Write([]byte(p)) }

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testIO struct {
	in interface {
		String() string
		WriteString(string) (int, error)
	}
	out, err *syncBuffer
}
