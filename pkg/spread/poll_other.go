//go:build !linux

package spread

import (
	"errors"
	"net"
)

// socketReadable is not implemented off Linux: Poll reports only the bytes
// the mailbox has buffered.
func socketReadable(net.Conn) (int, bool, error) { return 0, false, errors.ErrUnsupported }
