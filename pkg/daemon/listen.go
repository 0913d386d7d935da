package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/spgo/spgo/internal/unixsock"
)

// listen opens the TCP listener and the Unix socket as the config says.
func (d *Daemon) listen() error {
	d.lmu.Lock()
	defer d.lmu.Unlock()
	cfg := d.cfg
	d.port = cfg.Port
	if !cfg.NoTCP {
		addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
		l, err := net.Listen("tcp", addr)
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("daemon: tcp %s: %w; stop what listens there or choose another port", addr, ErrPortInUse)
		}
		if err != nil {
			return fmt.Errorf("daemon: listen tcp %s port %d: %w", cfg.Host, cfg.Port, err)
		}
		d.tcp = l
		d.port = l.Addr().(*net.TCPAddr).Port
	} else if d.port == 0 {
		// The socket file is named after a port; borrow a free one.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("daemon: pick a free port for the unix socket name: %w", err)
		}
		d.port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	if cfg.NoUnixSocket {
		return nil
	}
	path := filepath.Join(cfg.SocketDir, strconv.Itoa(d.port))
	if err := unixsock.RemoveStale(path); err != nil {
		return err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("daemon: listen unix %s: %w", path, err)
	}
	// Clients of any user may connect, as to the real daemon's socket.
	if err := os.Chmod(path, 0o666); err != nil {
		l.Close()
		return fmt.Errorf("daemon: chmod unix socket %s: %w", path, err)
	}
	// Close removes the file itself, after every session has ended, and
	// only if it is still this file.
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	own, err := os.Lstat(path)
	if err != nil {
		l.Close()
		return fmt.Errorf("daemon: unix socket %s vanished after listen: %w", path, err)
	}
	d.unix, d.unixPath, d.unixFile = l, path, own
	return nil
}

// ErrPortInUse is wrapped by Start's (and StartRing's) error when
// something already listens on the TCP address.
var ErrPortInUse = errors.New("port is in use")

// ErrSocketInUse is wrapped by Start's error (and ringctl.Serve's) when
// the Unix socket path belongs to a process that still accepts connections.
var ErrSocketInUse = unixsock.ErrInUse

// goServe runs the accept loop of l until l is closed.
func (d *Daemon) goServe(l net.Listener) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		var backoff time.Duration
		for {
			conn, err := l.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				// Out of descriptors and similar: wait, as net/http does.
				if backoff == 0 {
					backoff = 5 * time.Millisecond
				} else if backoff < time.Second {
					backoff *= 2
				}
				d.log.Warn("accept failed", "listener", l.Addr().String(), "err", err, "retry_in", backoff)
				time.Sleep(backoff)
				continue
			}
			backoff = 0
			tuneConn(conn)
			d.accept(conn)
		}
	}()
}

// tuneConn sets the socket options of an accepted connection: no Nagle
// delay on TCP, as libspread and the real daemon do.
func tuneConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
}
