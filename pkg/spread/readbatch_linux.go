package spread

import (
	"net"

	"golang.org/x/sys/unix"
)

// lowMarkSetter returns a function setting c's SO_RCVLOWAT. Linux applies
// the mark to TCP's wake-ups as well as to poll, and lowering it wakes a
// reader that now has enough, which is what bounds a batched wait.
func lowMarkSetter(c net.Conn) (func(int) error, error) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return nil, ErrReadBatchUnsupported
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil, err
	}
	return func(n int) error {
		var opErr error
		if err := rc.Control(func(fd uintptr) {
			opErr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVLOWAT, n)
		}); err != nil {
			return err
		}
		return opErr
	}, nil
}
