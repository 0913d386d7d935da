package ringctl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spgo/spgo/internal/unixsock"
	"github.com/spgo/spgo/pkg/daemon"
)

// maxLine bounds a command line and a reply line.
const maxLine = 4096

// timeout bounds one control connection, on either side.
const timeout = 5 * time.Second

// DefaultPath is where `spgo daemon --nodes N` puts its control socket:
// next to the Unix sockets, named after the port.
func DefaultPath(socketDir string, port int) string {
	return filepath.Join(socketDir, "spgo-ring-"+strconv.Itoa(port)+".ctl")
}

// Server serves a ring's control socket until Close.
type Server struct {
	l    net.Listener
	path string
	own  os.FileInfo
	wg   sync.WaitGroup
}

// Serve listens on the Unix socket path, readable and writable by this
// process's user only, and applies the commands it receives to r. A
// socket left behind at path is replaced; a live one is refused (the
// error wraps daemon.ErrSocketInUse).
func Serve(r *daemon.Ring, path string) (*Server, error) {
	l, err := listenPrivate(path)
	if err != nil {
		return nil, err
	}
	own, _ := os.Lstat(path)
	s := &Server{l: l, path: path, own: own}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				serveConn(r, c)
			}()
		}
	}()
	return s, nil
}

// listenPrivate listens on the Unix socket path with mode 0600. It binds
// under a temporary name and makes it private before it gets its real
// name: nobody else can connect in between.
func listenPrivate(path string) (net.Listener, error) {
	if err := unixsock.RemoveStale(path); err != nil {
		return nil, err
	}
	tmp := path + ".tmp" + strconv.Itoa(os.Getpid())
	os.Remove(tmp)
	l, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		l.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("daemon: control socket %s: %w", path, err)
	}
	return l, nil
}

// serveConn answers the one command line c carries.
func serveConn(r *daemon.Ring, c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	line, err := bufio.NewReader(io.LimitReader(c, maxLine)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return
	}
	reply, err := Apply(r, strings.TrimSpace(line))
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "daemon: ")
		fmt.Fprintf(c, "error: %s\n", strings.ReplaceAll(msg, "\n", " "))
		return
	}
	fmt.Fprintf(c, "ok %s\n", reply)
}

// Path is the control socket's path.
func (s *Server) Path() string { return s.path }

// Close stops serving and removes the socket, if it is still the one
// Serve created.
func (s *Server) Close() error {
	err := s.l.Close()
	s.wg.Wait()
	if s.own != nil {
		unixsock.RemoveOwn(s.path, s.own)
	}
	return err
}
