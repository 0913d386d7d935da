package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spgo/spgo/internal/unixsock"
)

// Daemon is a running embedded daemon. Its methods are safe for concurrent
// use.
type Daemon struct {
	cfg   Config
	log   *slog.Logger
	start time.Time

	// lmu guards the listener fields: Restart replaces them while clients
	// of the package may be asking for the addresses.
	lmu      sync.Mutex
	tcp      net.Listener
	unix     net.Listener
	unixPath string
	unixFile fs.FileInfo // the socket file as created, to remove only that
	port     int

	wg sync.WaitGroup // every goroutine the daemon starts

	seq  *sequencer // the total order, shared by every node of a ring
	ring *Ring      // the ring this node belongs to; nil for Start's daemon
	idx  int        // position in the ring's configuration
	proc int32      // group_id.memb_id.proc_id when this node leads (docs/protocol.md §7.2)
	// Owned by seq.mu.
	comp *component // the daemons this node is connected to; nil while down
	// lastTime is the last membership time this node used: times go forward.
	lastTime int32
	// frozen: the node reads nothing from its clients and takes no part in
	// the ring (Ring.Freeze); stalled: its ring lost the token and orders
	// nothing of its clients' until a pending change is told (FaultTiming).
	frozen, stalled bool
	frozenSince     time.Time // when frozen last became true
	// gate, when not nil, is closed at the next change of frozen or
	// stalled: what waits for them (readers, accepts) looks again then.
	gate chan struct{}
	// halted holds, while the node is frozen, a channel closed when the
	// freeze ends: its session writers write nothing until then (halt.go).
	halted atomic.Pointer[chan struct{}]
	reg    registry // this node's sessions and counters

	closeOnce sync.Once
	closeErr  error
}

// Start listens as cfg says and serves in background goroutines until Close.
func Start(cfg Config) (*Daemon, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	d := newNode(cfg, daemonProcID)
	newSequencer([]*Daemon{d}, d.start)
	if err := d.listen(); err != nil {
		d.closeListeners()
		return nil, err
	}
	d.serve()
	return d, nil
}

// newNode is a daemon (or ring node) not yet listening.
func newNode(cfg Config, proc int32) *Daemon {
	d := &Daemon{cfg: cfg, log: cfg.Logger, start: time.Now(), proc: proc}
	d.reg.init()
	return d
}

// serve starts the accept loops of the listeners just opened.
func (d *Daemon) serve() {
	d.lmu.Lock()
	tcp, unix, path := d.tcp, d.unix, d.unixPath
	d.lmu.Unlock()
	tcpAddr := ""
	if tcp != nil {
		tcpAddr = tcp.Addr().String()
	}
	d.log.Info("daemon started", "name", d.cfg.Name, "tcp", tcpAddr, "unix", path,
		"max_sessions", d.cfg.MaxSessions, "max_session_messages", d.cfg.MaxSessionMessages)
	if tcp != nil {
		d.goServe(tcp)
	}
	if unix != nil {
		d.goServe(unix)
	}
}

// Name is the daemon name that ends every private group.
func (d *Daemon) Name() string { return d.cfg.Name }

// Port is the TCP port (also the Unix socket's file name).
func (d *Daemon) Port() int {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	return d.port
}

// SpreadName returns the name a client passes to connect over TCP,
// "PORT@HOST". When TCP is disabled it returns UnixName().
func (d *Daemon) SpreadName() string {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	if d.tcp == nil {
		return d.unixName()
	}
	host := d.cfg.Host
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return strconv.Itoa(d.port) + "@" + host
}

// UnixName returns the bare port form "PORT" that libspread maps to
// /tmp/PORT, when the socket is there; otherwise "".
func (d *Daemon) UnixName() string {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	return d.unixName()
}

func (d *Daemon) unixName() string {
	if d.unix == nil || filepath.Clean(d.cfg.SocketDir) != DefaultSocketDir {
		return ""
	}
	return strconv.Itoa(d.port)
}

// UnixPath returns the Unix socket's path, or "" without a Unix socket.
func (d *Daemon) UnixPath() string {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	if d.unix == nil {
		return ""
	}
	return d.unixPath
}

// TCPAddr returns the TCP listener's address, or nil without one.
func (d *Daemon) TCPAddr() net.Addr {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	if d.tcp == nil {
		return nil
	}
	return d.tcp.Addr()
}

// ServeConn serves one client connection (for example one end of
// net.Pipe) in the background, exactly like an accepted one. The daemon
// owns conn from now on; after Close it closes conn at once.
func (d *Daemon) ServeConn(conn net.Conn) {
	d.accept(conn)
}

// Close stops the daemon: listeners close, every client connection is
// closed (clients see the connection close, as when a real daemon stops),
// the Unix socket file is removed and every goroutine has ended when Close
// returns. It is idempotent. Closing a node of a Ring closes the whole ring
// (Ring.Crash stops one node).
func (d *Daemon) Close() error {
	if d.ring != nil {
		return d.ring.Close()
	}
	d.closeOnce.Do(func() {
		d.closeListeners()
		d.seq.mu.Lock()
		d.seq.closed = true
		d.seq.stopLocked(d)
		d.seq.mu.Unlock()
		d.wg.Wait()
		d.closeErr = d.removeOwnSocket()
		d.log.Info("daemon stopped", "name", d.cfg.Name)
	})
	return d.closeErr
}

// removeOwnSocket removes the Unix socket file this node created, if it is
// still there.
func (d *Daemon) removeOwnSocket() error {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	if d.unixPath == "" || d.unixFile == nil {
		return nil
	}
	err := unixsock.RemoveOwn(d.unixPath, d.unixFile)
	d.unixFile = nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("daemon: remove socket %s: %w", d.unixPath, err)
	}
	return nil
}

func (d *Daemon) closeListeners() {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	if d.tcp != nil {
		d.tcp.Close()
	}
	if d.unix != nil {
		d.unix.Close()
	}
}
