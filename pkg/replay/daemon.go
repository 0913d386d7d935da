package replay

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/pkg/tap"
)

// servedConn is one client connection Daemon plays to: the bytes its
// reader got from the client, closed at the client's close. Units are
// compared as bytes, since a client's malformed input need not cut into
// frames as the recording's units do.
type servedConn struct {
	label    string
	c        net.Conn
	chunks   chan []byte
	pending  []byte
	ended    bool
	recorded *tap.Conversation // the recording's units, for showing them
	live     *tap.Conversation // the client's bytes, for showing them
}

// daemonPlayer plays a recording's daemon side.
type daemonPlayer struct {
	rec      *Recording
	opts     Options
	accepted chan net.Conn
	conns    map[string]*servedConn
	res      Result
}

// Daemon plays rec's daemon side to the clients that connect to any of
// listeners: the
// recording's connections, in the order it opened them, are the clients'
// in the order they connect. It writes the recorded daemon units and
// checks every unit a client sends against the recorded one (leaving out
// libspread's garbage after NULs in group fields), in the recording's
// order. It returns after the recording's last event, with the first
// *Difference if there was one. It does not close the listeners.
func Daemon(ctx context.Context, rec *Recording, opts Options, listeners ...net.Listener) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := &daemonPlayer{rec: rec, opts: opts, accepted: make(chan net.Conn), conns: map[string]*servedConn{}}
	for _, l := range listeners {
		go p.accept(ctx, l)
	}
	defer func() {
		for _, sc := range p.conns {
			sc.c.Close()
		}
	}()
	for _, e := range rec.f.Events {
		if err := p.event(ctx, e); err != nil {
			return p.res, err
		}
	}
	return p.res, nil
}

// accept hands accepted connections to the player until ctx ends.
func (p *daemonPlayer) accept(ctx context.Context, l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		select {
		case p.accepted <- c:
		case <-ctx.Done():
			c.Close()
			return
		}
	}
}

// event plays one recorded event.
func (p *daemonPlayer) event(ctx context.Context, e capture.Event) error {
	sc := p.conns[e.Conn]
	switch {
	case e.Kind == capture.Open:
		return p.open(ctx, e.Conn)
	case sc == nil:
		return nil // a datagram, or an event of a connection never opened
	case e.Kind == capture.Unit && e.Dir == capture.DaemonToClient:
		sc.recorded.Feed(tap.DaemonToClient, e.Payload, zeroTime)
		_ = sc.c.SetWriteDeadline(time.Now().Add(writeTimeout))
		// A client that is gone shows at its next expected unit.
		_, _ = sc.c.Write(e.Payload)
		p.res.Sent++
	case e.Kind == capture.Unit:
		return p.expectUnit(ctx, sc, e)
	case e.Kind == capture.Close && e.By == "D":
		return sc.c.Close()
	case e.Kind == capture.Close:
		return p.expectClose(ctx, sc, e)
	}
	return nil
}

func (p *daemonPlayer) open(ctx context.Context, label string) error {
	select {
	case c := <-p.accepted:
		sc := &servedConn{label: label, c: c, chunks: make(chan []byte, 1024),
			recorded: tap.NewConversation(len(p.conns) + 1), live: tap.NewConversation(len(p.conns) + 1)}
		p.conns[label] = sc
		p.res.Conns++
		go sc.read()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// read passes on what the client sends until it closes.
func (sc *servedConn) read() {
	defer close(sc.chunks)
	buf := make([]byte, 256<<10)
	for {
		n, err := sc.c.Read(buf)
		if n > 0 {
			sc.chunks <- append([]byte(nil), buf[:n]...)
		}
		if err != nil {
			return
		}
	}
}

// take waits for the client's next n bytes; fewer when it closed first.
func (p *daemonPlayer) take(ctx context.Context, sc *servedConn, n int) ([]byte, error) {
	var timeout <-chan time.Time
	if p.opts.Timeout > 0 {
		timer := time.NewTimer(p.opts.Timeout)
		defer timer.Stop()
		timeout = timer.C
	}
	for len(sc.pending) < n && !sc.ended {
		select {
		case b, ok := <-sc.chunks:
			sc.pending = append(sc.pending, b...)
			sc.ended = !ok
		case <-timeout:
			return nil, errTimeout
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	n = min(n, len(sc.pending))
	got := sc.pending[:n:n]
	sc.pending = sc.pending[n:]
	return got, nil
}

// shown decodes bytes the client sent for a report.
func (sc *servedConn) shown(b []byte) *tap.Frame {
	if len(b) == 0 {
		return &tap.Frame{Kind: tap.KindClose, By: "C"}
	}
	return decodeUnit(sc.live, tap.ClientToDaemon, b)
}

// expectUnit checks the client's next unit against the recorded one.
func (p *daemonPlayer) expectUnit(ctx context.Context, sc *servedConn, e capture.Event) error {
	want := decodeUnit(sc.recorded, tap.ClientToDaemon, e.Payload)
	got, err := p.take(ctx, sc, len(e.Payload))
	p.res.Compared++
	diff := func(got *tap.Frame, why string) error {
		return &Difference{Recording: p.rec.Name(), Line: e.Line, Conn: sc.label, Dir: tap.ClientToDaemon, Want: want, Got: got, Why: why}
	}
	switch {
	case err == errTimeout:
		return diff(nil, fmt.Sprintf("nothing came within %v", p.opts.Timeout))
	case err != nil:
		return err
	case len(got) < len(e.Payload):
		return diff(sc.shown(got), "the client closed the connection")
	case !capture.EqualClientUnit(got, e.Payload):
		g := sc.shown(got)
		return diff(g, "the client's "+string(g.Kind)+" differs from the recorded "+string(want.Kind))
	}
	sc.live.Feed(tap.ClientToDaemon, got, zeroTime)
	return nil
}

// expectClose checks that the client closes and sends nothing more.
func (p *daemonPlayer) expectClose(ctx context.Context, sc *servedConn, e capture.Event) error {
	got, err := p.take(ctx, sc, 1)
	p.res.Compared++
	want := &tap.Frame{Kind: tap.KindClose, By: "C"}
	switch {
	case err == errTimeout:
		return &Difference{Recording: p.rec.Name(), Line: e.Line, Conn: sc.label, Dir: tap.ClientToDaemon, Want: want,
			Why: fmt.Sprintf("the client did not close within %v", p.opts.Timeout)}
	case err != nil:
		return err
	case len(got) > 0:
		got = append(got, sc.pending...)
		return &Difference{Recording: p.rec.Name(), Line: e.Line, Conn: sc.label, Dir: tap.ClientToDaemon, Want: want, Got: sc.shown(got),
			Why: "the client sent more where the recording has it close the connection"}
	}
	return nil
}
