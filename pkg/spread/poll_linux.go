package spread

import (
	"errors"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// socketReadable reports the bytes waiting on c's socket (FIONREAD) and, when
// none are, whether the peer has closed it (a non-blocking MSG_PEEK reads
// 0). It uses RawConn.Control, which does not wait for a Read blocked in
// another goroutine.
func socketReadable(c net.Conn) (n int, eof bool, err error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, false, errors.ErrUnsupported
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, false, err
	}
	var opErr error
	err = rc.Control(func(fd uintptr) {
		n, opErr = unix.IoctlGetInt(int(fd), unix.TIOCINQ)
		if opErr != nil || n > 0 {
			return
		}
		var b [1]byte
		k, _, e := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		if e == nil && k == 0 {
			eof = true
		}
	})
	if err == nil {
		err = opErr
	}
	return n, eof, err
}
