package replay

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/pkg/spread"
	"github.com/spgo/spgo/pkg/tap"
)

// expectation is what a connection must see next: a unit or the daemon's
// close.
type expectation struct {
	unit  []byte
	close bool
	line  int
}

// clientPlayer plays a recording's client side against a daemon.
type clientPlayer struct {
	rec           *Recording
	opts          Options
	network, addr string
	conns         map[string]*liveConn
	order         []string
	expect        map[string][]expectation
	renames       capture.Renames
	res           Result
}

// Client plays rec's client side against opts.Daemon: it writes the
// recorded client units in the recording's order and, before each, reads
// every daemon unit the recording shows before it and compares them. It
// returns the first *Difference, or an error wrapping ErrDial when a
// connection cannot be opened.
func Client(ctx context.Context, rec *Recording, opts Options) (Result, error) {
	network, addr, err := spread.ParseDaemonName(opts.Daemon)
	if err != nil {
		return Result{}, err
	}
	p := &clientPlayer{rec: rec, opts: opts, network: network, addr: addr,
		conns: map[string]*liveConn{}, expect: map[string][]expectation{}, renames: capture.Renames{}}
	defer p.closeAll()
	err = p.play(ctx)
	return p.res, err
}

// play walks the recording's events.
func (p *clientPlayer) play(ctx context.Context) error {
	ev := p.rec.f.Events
	for i := 0; i < len(ev); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := ev[i]
		var err error
		switch {
		case e.Kind == capture.Open:
			err = p.open(ctx, e.Conn)
		case e.Kind == capture.Unit && e.Dir == capture.DaemonToClient:
			p.expect[e.Conn] = append(p.expect[e.Conn], expectation{unit: e.Payload, line: e.Line})
		case e.Kind == capture.Close && e.By == "D":
			p.expect[e.Conn] = append(p.expect[e.Conn], expectation{close: true, line: e.Line})
		case e.Kind == capture.Close:
			err = p.clientCloses(i, e.Conn)
		case e.Kind == capture.Unit:
			// Adjacent client units of one connection travelled together.
			buf := append([]byte(nil), e.Payload...)
			for i+1 < len(ev) && ev[i+1].Kind == capture.Unit && ev[i+1].Conn == e.Conn && ev[i+1].Dir == capture.ClientToDaemon {
				i++
				buf = append(buf, ev[i].Payload...)
			}
			err = p.send(e.Conn, buf)
		}
		if err != nil {
			return err
		}
	}
	if err := p.drain(); err != nil {
		return err
	}
	return p.nothingMore()
}

func (p *clientPlayer) open(ctx context.Context, label string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(ctx, p.network, p.addr)
	if err != nil {
		return fmt.Errorf("%w %s: %v", ErrDial, p.opts.Daemon, err)
	}
	p.order = append(p.order, label)
	p.conns[label] = newLiveConn(label, len(p.order), c)
	p.res.Conns++
	return nil
}

// send checks what the daemon owes first, then writes b as the client
// and pauses, as the recording did between requests.
func (p *clientPlayer) send(label string, b []byte) error {
	if err := p.drain(); err != nil {
		return err
	}
	lc := p.conns[label]
	recorded := b
	b = p.renames.Apply(b)
	lc.recorded.Feed(tap.ClientToDaemon, recorded, zeroTime)
	// A daemon that already closed may refuse the bytes; the recording's
	// expectations then show what differs.
	_ = lc.write(b)
	p.res.Sent++
	time.Sleep(p.opts.pause())
	return nil
}

// clientCloses closes conn as the recorded client did: only its sending
// side when the recording shows the daemon's answers after it (the
// recording proxy kept reading).
func (p *clientPlayer) clientCloses(i int, label string) error {
	if err := p.drain(); err != nil {
		return err
	}
	lc := p.conns[label]
	if cw, ok := lc.c.(interface{ CloseWrite() error }); ok && p.readsAfter(i, label) {
		return cw.CloseWrite()
	}
	lc.closed = true
	return lc.c.Close()
}

// readsAfter reports whether the recording shows conn receiving after event i.
func (p *clientPlayer) readsAfter(i int, label string) bool {
	for _, e := range p.rec.f.Events[i+1:] {
		if e.Conn == label && e.Kind == capture.Unit && e.Dir == capture.DaemonToClient {
			return true
		}
	}
	return false
}

// drain checks every pending expectation of every connection.
func (p *clientPlayer) drain() error {
	for _, label := range p.order {
		for _, x := range p.expect[label] {
			if err := p.check(p.conns[label], x); err != nil {
				return err
			}
			p.res.Compared++
		}
		p.expect[label] = nil
	}
	return nil
}

// check compares what the daemon sends next on lc with x.
func (p *clientPlayer) check(lc *liveConn, x expectation) error {
	diff := func(want, got *tap.Frame, why string) error {
		return &Difference{Recording: p.rec.Name(), Line: x.line, Conn: lc.label, Dir: tap.DaemonToClient, Want: want, Got: got, Why: why}
	}
	var want *tap.Frame
	if x.close {
		want = &tap.Frame{Kind: tap.KindClose, By: "D"}
	} else {
		want = decodeUnit(lc.recorded, tap.DaemonToClient, x.unit)
	}
	got, err := lc.next(p.opts.deadline())
	switch {
	case err == errTimeout:
		return diff(want, nil, fmt.Sprintf("nothing came within %v", p.opts.Timeout))
	case got == nil && x.close:
		return nil
	case got == nil:
		return diff(want, &tap.Frame{Kind: tap.KindClose, By: "D", Error: fmt.Sprint(err)}, "the daemon closed the connection")
	case x.close:
		return diff(want, got, "the daemon sent a frame where the recording has it close the connection")
	case want.Kind == tap.KindPrivateGroup && got.Kind == tap.KindPrivateGroup:
		return p.learn(lc, want, got, diff)
	}
	w, g := p.renames.Apply(x.unit), append([]byte(nil), got.Raw...)
	w = append([]byte(nil), w...)
	capture.MaskTime(w)
	capture.MaskTime(g)
	if !bytes.Equal(w, g) {
		return diff(want, got, "the daemon's "+string(got.Kind)+" differs from the recorded "+string(want.Kind))
	}
	return nil
}

// learn accepts a private group the daemon chose in place of the recorded
// one when only a chosen part differs: the daemon's own name, or the whole
// private name when the client asked for none (docs/protocol.md §4.5).
func (p *clientPlayer) learn(lc *liveConn, want, got *tap.Frame, diff func(w, g *tap.Frame, why string) error) error {
	if want.PrivateGroup == got.PrivateGroup {
		return nil
	}
	wn, _, ok1 := wire.SplitPrivateGroup([]byte(want.PrivateGroup))
	gn, _, ok2 := wire.SplitPrivateGroup([]byte(got.PrivateGroup))
	if !ok1 || !ok2 || (lc.helloName != "" && !bytes.Equal(wn, gn)) {
		return diff(want, got, "the private group differs in more than the daemon's choices")
	}
	p.renames[want.PrivateGroup] = got.PrivateGroup
	return nil
}

// nothingMore checks that the daemon sent nothing beyond the recording on
// the connections still open.
func (p *clientPlayer) nothingMore() error {
	for _, label := range p.order {
		lc := p.conns[label]
		if lc.closed || lc.ended {
			continue
		}
		got, err := lc.next(time.Now().Add(p.opts.pause()))
		if err == nil && got != nil {
			return &Difference{Recording: p.rec.Name(), Conn: label, Dir: tap.DaemonToClient, Got: got,
				Why: "the daemon sent a frame the recording does not have"}
		}
	}
	return nil
}

func (p *clientPlayer) closeAll() {
	for _, lc := range p.conns {
		lc.c.Close()
	}
}
