// Package unixsock takes care of the socket files a daemon or a ring's
// control server leaves in the file system: a socket left behind by a
// process that died is removed before listening again, a live one is never
// touched, and at close only the file this process created is removed.
package unixsock

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"syscall"
	"time"
)

// ErrInUse is wrapped by RemoveStale's error when the socket at path
// belongs to a process that still accepts connections.
var ErrInUse = errors.New("unix socket is in use by a running daemon")

// staleProbeTimeout bounds the connection attempt that tells a live socket
// from one left behind.
const staleProbeTimeout = time.Second

// RemoveStale unlinks path if it is a socket left behind (the real daemon
// unlinks /tmp/<port> at start-up too). A socket is stale only when
// connecting to it is refused; one that accepts belongs to a running
// process and is never touched, nor is anything that is not a socket.
func RemoveStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("daemon: unix socket path %s: %w", path, err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("daemon: unix socket path %s exists and is not a socket (mode %v); remove it or choose another SocketDir", path, fi.Mode())
	}
	conn, err := net.DialTimeout("unix", path, staleProbeTimeout)
	if err == nil {
		conn.Close()
		return fmt.Errorf("daemon: %s: %w; stop it or choose another port or socket directory", path, ErrInUse)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("daemon: unix socket %s exists and cannot be probed (%v); remove it or choose another port or socket directory", path, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("daemon: remove stale unix socket %s: %w", path, err)
	}
	return nil
}

// RemoveOwn removes the socket file at path at close, only if it is still
// own, the file this process created (someone may have replaced it).
func RemoveOwn(path string, own fs.FileInfo) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !os.SameFile(fi, own) {
		return nil
	}
	return os.Remove(path)
}
