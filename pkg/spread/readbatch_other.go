//go:build !linux

package spread

import "net"

// lowMarkSetter is Linux only: elsewhere lowering SO_RCVLOWAT is not known
// to wake a waiting reader, so a batched wait could not be bounded.
func lowMarkSetter(net.Conn) (func(int) error, error) { return nil, ErrReadBatchUnsupported }
