package daemon

import (
	"net"
	"strconv"
)

// remoteOf names the peer in log lines: "ip:port" for TCP, "unix:<socket
// path>" for a Unix-socket client (which has no address), "pipe" for
// net.Pipe.
func remoteOf(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil && a.String() != "" && a.String() != "@" && a.Network() != "pipe" {
		return a.String()
	}
	if a := c.LocalAddr(); a != nil && a.Network() == "unix" {
		return "unix:" + a.String()
	}
	if a := c.LocalAddr(); a != nil && a.Network() == "pipe" {
		return "pipe"
	}
	return "local"
}

func codeName(c byte) string {
	switch c {
	case codeQuota:
		return "REJECT_QUOTA"
	case codeIllegalName:
		return "REJECT_ILLEGAL_NAME"
	case codeNotUnique:
		return "REJECT_NOT_UNIQUE"
	case codeVersion:
		return "REJECT_VERSION"
	case codeAuth:
		return "REJECT_AUTH"
	}
	return "0x" + strconv.FormatUint(uint64(c), 16)
}
