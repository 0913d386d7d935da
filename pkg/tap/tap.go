package tap

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/unixsock"
	"github.com/spgo/spgo/pkg/spread"
)

// Tap is a running proxy (see Start).
type Tap struct {
	cfg    Config
	filter filter
	// network and address of the daemon, parsed once.
	network, daemonAddr string

	tcp      net.Listener
	unix     net.Listener
	unixPath string
	unixFile fs.FileInfo
	port     int

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
	if err := t.listen(); err != nil {
		return nil, err
	}
	for _, l := range []net.Listener{t.tcp, t.unix} {
		if l != nil {
			t.wg.Add(1)
			go t.accept(l)
		}
	}
	return t, nil
}

// listen opens the TCP listener and the Unix socket.
func (t *Tap) listen() error {
	host, port, _ := ParseListen(t.cfg.Listen)
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("tap: tcp %s: %w; stop what listens there or choose another port", addr, ErrPortInUse)
	}
	if err != nil {
		return fmt.Errorf("tap: listen tcp %s: %w", addr, err)
	}
	t.tcp, t.port = l, l.Addr().(*net.TCPAddr).Port
	if t.cfg.NoUnixSocket {
		return nil
	}
	path := filepath.Join(t.cfg.SocketDir, strconv.Itoa(t.port))
	if err := unixsock.RemoveStale(path); err != nil {
		t.tcp.Close()
		return fmt.Errorf("tap: %w", err)
	}
	u, err := net.Listen("unix", path)
	if err == nil {
		u.(*net.UnixListener).SetUnlinkOnClose(false)
		t.unixFile, err = os.Lstat(path)
	}
	if err != nil {
		t.tcp.Close()
		return fmt.Errorf("tap: listen unix %s: %w", path, err)
	}
	t.unix, t.unixPath = u, path
	return nil
}

// Port is the TCP port the tap listens on.
func (t *Tap) Port() int { return t.port }

// TCPAddr is the TCP address the tap listens on.
func (t *Tap) TCPAddr() *net.TCPAddr { return t.tcp.Addr().(*net.TCPAddr) }

// UnixPath is the tap's Unix socket, "" with NoUnixSocket.
func (t *Tap) UnixPath() string { return t.unixPath }

// SpreadName is the daemon name a client gives to reach the tap over TCP:
// "PORT@HOST".
func (t *Tap) SpreadName() string {
	return fmt.Sprintf("%d@%s", t.port, t.TCPAddr().IP)
}

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
	t.tcp.Close()
	if t.unix != nil {
		t.unix.Close()
		_ = unixsock.RemoveOwn(t.unixPath, t.unixFile)
	}
	t.wg.Wait()
	if t.rec != nil {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.rec.Flush()
	}
	return nil
}
