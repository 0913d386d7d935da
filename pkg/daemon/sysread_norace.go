//go:build linux && !race

package daemon

import (
	"syscall"
	"unsafe"
)

// sysRead is read(2) on a non-blocking descriptor as a raw system call,
// outside the runtime's system-call state (see rawReader).
func sysRead(fd uintptr, p unsafe.Pointer, n int) (int, syscall.Errno) {
	r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(p), uintptr(n))
	return int(r), e
}
