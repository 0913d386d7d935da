//go:build unix

package daemon

import (
	"io/fs"
	"os"
	"syscall"
)

// ownedByOther reports the owner of fi when it is not this process's user.
func ownedByOther(fi fs.FileInfo) (uid int, other bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), int(st.Uid) != os.Getuid()
}
