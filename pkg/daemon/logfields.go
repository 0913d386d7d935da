package daemon

import "net"

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
