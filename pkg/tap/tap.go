package tap

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/pkg/spread"
)

// Tap is a running proxy (see Start).
type Tap struct {
	cfg    Config
	filter filter
	// network and address of the daemon, parsed once.
	network, daemonAddr string

	ln *Listener

	later bool // decode after forwarding (later.go)

	// mu orders delivery: OnFrame calls and the recording see frames
	// one at a time, in one order.
	mu  sync.Mutex
	rec *capture.Writer

	cmu    sync.Mutex
	relays map[*relay]struct{}
	nconns int
	closed bool
	wg     sync.WaitGroup
}

// Start validates cfg, listens and serves until Close. A port or socket
// in use is an error wrapping ErrPortInUse or ErrSocketInUse; a bad field
// is a *ConfigError.
func Start(cfg Config) (*Tap, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	t := &Tap{cfg: cfg, filter: filter{sessions: cfg.Sessions, groups: cfg.Groups}, relays: map[*relay]struct{}{}, later: decodesLater(&cfg)}
	t.network, t.daemonAddr, _ = spread.ParseDaemonName(cfg.Daemon)
	if cfg.Record != nil {
		t.rec = capture.NewWriter(cfg.Record)
		t.rec.Comment("Recorded by spgo tap: clients -> tap " + cfg.Listen + " -> daemon " + cfg.Daemon)
	}
	ln, err := Listen(cfg.Listen, cfg.SocketDir, cfg.NoUnixSocket)
	if err != nil {
		return nil, fmt.Errorf("tap: %w", err)
	}
	t.ln = ln
	for _, l := range ln.Listeners() {
		t.wg.Add(1)
		go t.accept(l)
	}
	return t, nil
}

// Port is the TCP port the tap listens on.
func (t *Tap) Port() int { return t.ln.Port() }

// TCPAddr is the TCP address the tap listens on.
func (t *Tap) TCPAddr() *net.TCPAddr { return t.ln.TCPAddr() }

// UnixPath is the tap's Unix socket, "" with NoUnixSocket.
func (t *Tap) UnixPath() string { return t.ln.UnixPath() }

// SpreadName is the daemon name a client gives to reach the tap over TCP:
// "PORT@HOST".
func (t *Tap) SpreadName() string { return t.ln.SpreadName() }

// accept serves l until it is closed.
func (t *Tap) accept(l net.Listener) {
	defer t.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		r := t.register(c)
		if r == nil {
			c.Close()
			return
		}
		go r.run()
	}
}

// register numbers a new connection and tracks it for Close; nil once the
// tap is closed.
func (t *Tap) register(c net.Conn) *relay {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	if t.closed {
		return nil
	}
	t.nconns++
	r := newRelay(t, t.nconns, c)
	t.relays[r] = struct{}{}
	t.wg.Add(1)
	return r
}

func (t *Tap) unregister(r *relay) {
	t.cmu.Lock()
	delete(t.relays, r)
	t.cmu.Unlock()
	t.wg.Done()
}

// Close stops listening, closes every connection on both sides, waits for
// them to end and flushes the recording, whose error it returns.
func (t *Tap) Close() error {
	t.cmu.Lock()
	if t.closed {
		t.cmu.Unlock()
		return nil
	}
	t.closed = true
	for r := range t.relays {
		r.cut()
	}
	t.cmu.Unlock()
	t.ln.Close()
	t.wg.Wait()
	if t.rec != nil {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.rec.Flush()
	}
	return nil
}
