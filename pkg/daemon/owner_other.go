//go:build !unix

package daemon

import "io/fs"

// ownedByOther: systems without Unix file owners have no one else to ask
// about; a directory's permissions are the system's to enforce.
func ownedByOther(fs.FileInfo) (uid int, other bool) { return 0, false }
