//go:build linux && race

package daemon

import (
	"syscall"
	"unsafe"
)

// sysRead under the race detector is syscall.Read, which tells the
// detector what the kernel wrote and orders it after writes to other
// descriptors, as conn.Read would; the raw call would hide both.
func sysRead(fd uintptr, p unsafe.Pointer, n int) (int, syscall.Errno) {
	r, err := syscall.Read(int(fd), unsafe.Slice((*byte)(p), n))
	if err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return 0, e
		}
		return 0, syscall.EIO
	}
	return r, 0
}
