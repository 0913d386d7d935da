package tap

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/spgo/spgo/internal/unixsock"
)

// Listener is where clients connect as they would to a daemon: a TCP
// address and, unless left out, the Unix socket DIR/PORT that clients
// naming the daemon "PORT" use. The tap listens with one; so can anything
// else that plays a daemon (pkg/replay).
type Listener struct {
	tcp      net.Listener
	unix     net.Listener
	unixPath string
	unixFile fs.FileInfo // the socket file this Listener made, removed by Close
}

// Listen opens a Listener. listen is "PORT" or "PORT@HOST" (ParseListen;
// port 0 picks a free one); the Unix socket is socketDir/PORT
// (DefaultSocketDir when ""), none when noUnix. A TCP port in use is an
// error wrapping ErrPortInUse; a socket a running process accepts on, one
// wrapping ErrSocketInUse; a bad listen, a *ConfigError.
func Listen(listen, socketDir string, noUnix bool) (*Listener, error) {
	host, port, err := ParseListen(listen)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	tcp, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("tcp %s: %w; stop what listens there or choose another port", addr, ErrPortInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("listen tcp %s: %w", addr, err)
	}
	l := &Listener{tcp: tcp}
	if noUnix {
		return l, nil
	}
	if socketDir == "" {
		socketDir = DefaultSocketDir
	}
	if err := l.listenUnix(filepath.Join(socketDir, strconv.Itoa(l.Port()))); err != nil {
		tcp.Close()
		return nil, err
	}
	return l, nil
}

// listenUnix listens on the socket path, replacing a stale one.
func (l *Listener) listenUnix(path string) error {
	if err := unixsock.RemoveStale(path); err != nil {
		return err
	}
	u, err := net.Listen("unix", path)
	if err == nil {
		// Close removes the file only if it is still this one.
		u.(*net.UnixListener).SetUnlinkOnClose(false)
		l.unixFile, err = os.Lstat(path)
		if err != nil {
			u.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("listen unix %s: %w", path, err)
	}
	l.unix, l.unixPath = u, path
	return nil
}

// Port is the TCP port.
func (l *Listener) Port() int { return l.TCPAddr().Port }

// TCPAddr is the TCP address.
func (l *Listener) TCPAddr() *net.TCPAddr { return l.tcp.Addr().(*net.TCPAddr) }

// UnixPath is the Unix socket, "" without one.
func (l *Listener) UnixPath() string { return l.unixPath }

// SpreadName is the daemon name a client gives to reach the TCP address:
// "PORT@HOST".
func (l *Listener) SpreadName() string {
	return fmt.Sprintf("%d@%s", l.Port(), l.TCPAddr().IP)
}

// Listeners are the TCP listener and the Unix one, if any, to accept on.
func (l *Listener) Listeners() []net.Listener {
	if l.unix == nil {
		return []net.Listener{l.tcp}
	}
	return []net.Listener{l.tcp, l.unix}
}

// Close stops listening and removes the socket file, unless another
// process has replaced it meanwhile.
func (l *Listener) Close() error {
	err := l.tcp.Close()
	if l.unix != nil {
		l.unix.Close()
		_ = unixsock.RemoveOwn(l.unixPath, l.unixFile)
	}
	return err
}
