package daemon

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
			return &ListenError{Addr: addr, Msg: "tcp " + addr + ": port is in use; stop what listens there or choose another port", Err: ErrPortInUse}
		}
		if err != nil {
			return listenFailed("tcp", addr, err)
		}
		d.tcp = l
		d.port = l.Addr().(*net.TCPAddr).Port
	} else if d.port == 0 {
		// The socket file is named after a port; borrow a free one.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return &ListenError{Addr: "127.0.0.1:0", Msg: "pick a free port for the unix socket name: " + causeOf(err), Err: err}
		}
		d.port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	if cfg.NoUnixSocket {
		return nil
	}
	path := filepath.Join(cfg.SocketDir, strconv.Itoa(d.port))
	if err := unixsock.RemoveStale(path); err != nil {
		// Its text names the path and what to do, prefixed like ours.
		return &ListenError{Addr: path, Msg: strings.TrimPrefix(err.Error(), "daemon: "), Err: err}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return listenFailed("unix", path, err)
	}
	// Clients of any user may connect, as to the real daemon's socket.
	if err := os.Chmod(path, 0o666); err != nil {
		l.Close()
		return &ListenError{Addr: path, Msg: "chmod unix socket " + path + ": " + causeOf(err), Err: err}
	}
	// Close removes the file itself, after every session has ended, and
	// only if it is still this file.
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	own, err := os.Lstat(path)
	if err != nil {
		l.Close()
		return &ListenError{Addr: path, Msg: "unix socket " + path + " vanished after listen: " + causeOf(err), Err: err}
	}
	d.unix, d.unixPath, d.unixFile = l, path, own
	return nil
}

// ListenError is Start's error (wrapped in a *NodeError for a ring node)
// when a listener cannot be opened: a port in use (ErrPortInUse), a socket
// path another daemon serves (ErrSocketInUse), an address this host does
// not have, a socket directory that does not exist. Msg names the address
// and the reason once; Err is the cause, for errors.Is and errors.As.
type ListenError struct {
	Addr string // the TCP address (HOST:PORT) or the Unix socket's path
	Msg  string
	Err  error
}

// Error is "daemon: " and Msg.
func (e *ListenError) Error() string { return "daemon: " + e.Msg }

// Unwrap gives the cause to errors.Is and errors.As.
func (e *ListenError) Unwrap() error { return e.Err }

// listenFailed is the ListenError of net.Listen's err: the address once,
// then the system's reason ("bind: cannot assign requested address").
func listenFailed(network, addr string, err error) error {
	return &ListenError{Addr: addr, Msg: "listen " + network + " " + addr + ": " + causeOf(err), Err: err}
}

// causeOf is err's text without the operation and address a *net.OpError
// or *fs.PathError repeats, which the caller's message already names.
func causeOf(err error) string {
	var oe *net.OpError
	var pe *fs.PathError
	switch {
	case errors.As(err, &oe) && oe.Err != nil:
		return oe.Err.Error()
	case errors.As(err, &pe):
		return pe.Err.Error()
	}
	return err.Error()
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
