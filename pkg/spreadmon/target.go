package spreadmon

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/spgo/spgo/pkg/spreadconf"
)

// DefaultPort is Spread's default daemon port, where ParseTarget asks when
// no port is given.
const DefaultPort = spreadconf.DefaultPort

// Target is one daemon to ask.
type Target struct {
	Name string         // as the configuration names it, or as it was given
	Addr netip.AddrPort // its IPv4 address and port
}

// Label names the target for people: its address, preceded by its name
// when the name is more than the address ("d1 (10.0.0.1:4803)").
func (t Target) Label() string {
	host := t.Addr.Addr().String()
	if t.Name == t.Addr.String() || t.Name == host || strings.HasPrefix(t.Name, host) {
		return t.Addr.String()
	}
	return fmt.Sprintf("%s (%s)", t.Name, t.Addr)
}

// TargetError is ParseTarget's error: the text it was given and what is
// wrong with it.
type TargetError struct {
	Input string // as given
	Msg   string // what is wrong, and what is allowed
	Err   error  // the name lookup's error, when the host did not resolve
}

// Error is `target "INPUT": MSG`.
func (e *TargetError) Error() string { return fmt.Sprintf("target %q: %s", e.Input, e.Msg) }

// Unwrap gives the lookup's error to errors.Is and errors.As.
func (e *TargetError) Unwrap() error { return e.Err }

// ParseTarget reads HOST[:PORT] as spmonitor's users write a daemon: an
// IPv4 address or a name with an IPv4 address, and a port 1..65535
// (DefaultPort when none is given). The target's name is s. Every error is
// a *TargetError.
func ParseTarget(s string) (Target, error) {
	host, port := s, strconv.Itoa(DefaultPort)
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return Target{}, &TargetError{Input: s, Msg: fmt.Sprintf("port %q must be 1..65535", port)}
	}
	a, err := hostAddr(host)
	if err != nil {
		return Target{}, &TargetError{Input: s, Msg: "want HOST[:PORT] with an IPv4 host: " + err.Error(), Err: err}
	}
	if !a.Is4() {
		return Target{}, &TargetError{Input: s, Msg: "the monitor protocol reaches IPv4 daemons only"}
	}
	return Target{Name: s, Addr: netip.AddrPortFrom(a, uint16(n))}, nil
}

// hostAddr is host as an address, or the first IPv4 address its name
// resolves to.
func hostAddr(host string) (netip.Addr, error) {
	a, perr := netip.ParseAddr(host)
	if perr == nil {
		return a, nil
	}
	ips, err := net.LookupIP(host)
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			a, _ = netip.AddrFromSlice(v4)
			return a, nil
		}
	}
	if err != nil {
		return a, err
	}
	return a, perr
}

// ConfTargets are the daemons of a configuration, in its order, each named
// as the configuration names it.
func ConfTargets(cfg *spreadconf.Config) []Target {
	out := make([]Target, 0, len(cfg.Daemons))
	for _, d := range cfg.Daemons {
		out = append(out, Target{Name: d.Name, Addr: netip.AddrPortFrom(d.Addr, uint16(d.Port))})
	}
	return out
}
