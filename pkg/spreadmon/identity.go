package spreadmon

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/spgo/spgo/pkg/spreadconf"
)

// IdentityError is an identity the monitor cannot claim: neither a daemon
// of the configuration nor an IPv4 address, not an address of this host,
// or (Default) no default because no address of this host reaches the
// first daemon.
type IdentityError struct {
	Identity string // as given
	Default  bool   // none was given, and DefaultIdentity found none
	Reason   string // what is wrong, and what is allowed
	Err      error  // the socket's error, if one said so
}

// Error is "identity IDENTITY REASON[: ERR]", or "REASON[: ERR]" for the
// default.
func (e *IdentityError) Error() string {
	s := e.Reason
	if !e.Default {
		s = "identity " + e.Identity + " " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap gives the socket's error to errors.Is and errors.As.
func (e *IdentityError) Unwrap() error { return e.Err }

// ParseIdentity reads the address a monitor claims: the name of a daemon
// of cfg (which may be nil) or an IPv4 address. Whether it is an address
// of this host is NewPoller's to find out. The error is an *IdentityError.
func ParseIdentity(s string, cfg *spreadconf.Config) (netip.Addr, error) {
	if cfg != nil {
		for _, d := range cfg.Daemons {
			if d.Name == s {
				return d.Addr, nil
			}
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, &IdentityError{Identity: s, Reason: "is neither a daemon name of the configuration nor an IPv4 address"}
	}
	return a, nil
}

// DefaultIdentity is spmonitor's choice of the address to claim: the
// first daemon of cfg (which may be nil) that is on this host, else the
// address this host reaches first from. The error is an *IdentityError.
func DefaultIdentity(cfg *spreadconf.Config, first Target) (netip.Addr, error) {
	if cfg != nil {
		for _, d := range cfg.Daemons {
			if IsLocal(d.Addr) {
				return d.Addr, nil
			}
		}
	}
	a, err := LocalAddrFor(first.Addr)
	if err != nil {
		return a, &IdentityError{Default: true, Reason: fmt.Sprintf("no address of this host reaches %s", first.Addr), Err: err}
	}
	return a, nil
}

// LocalAddrFor returns the address of this host that reaches target (the
// system's route to it; nothing is sent).
func LocalAddrFor(target netip.AddrPort) (netip.Addr, error) {
	c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(target))
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	a := c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap()
	return a, nil
}

// IsLocal reports whether a is an IPv4 address of this host (one a socket
// can bind).
func IsLocal(a netip.Addr) bool {
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(a, 0)))
	if err != nil {
		return false
	}
	c.Close()
	return true
}
