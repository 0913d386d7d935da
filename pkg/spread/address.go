package spread

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// maxSpreadName is libspread's limit on the daemon name: longer names are
// ILLEGAL_SPREAD (MAXHOSTNAMELEN 64 + 6 on Linux, docs/protocol.md §3).
const maxSpreadName = 70

// defaultSocketDir is where libspread looks for a daemon's Unix socket.
const defaultSocketDir = "/tmp"

// ParseDaemonName turns a daemon name as Spread writes it into a network
// ("unix" or "tcp") and an address for net.Dial:
//
//	""             -> unix /tmp/4803 (the default daemon)
//	"4803"         -> unix /tmp/4803
//	"4803@host"    -> tcp host:4803
//	"host:4803"    -> tcp host:4803 (an extension; libspread refuses it)
//
// It follows libspread's sscanf("%hu%s") quirks: leading white space is
// skipped, a sign is accepted, the port is taken modulo 65536, white space
// may precede '@', and only the first word after '@' counts
// ("4803@h junk" is "4803@h"). Anything else is ILLEGAL_SPREAD. Host names
// are not resolved here; an unknown host fails at Connect with
// ILLEGAL_SPREAD, as libspread's gethostbyname failure does.
func ParseDaemonName(s string) (network, address string, err error) {
	return parseDaemonName(s, defaultSocketDir)
}

func parseDaemonName(s, socketDir string) (network, address string, err error) {
	bad := func(why string) (string, string, error) {
		return "", "", &Error{Code: IllegalSpread, Op: "connect", Daemon: s, Detail: why}
	}
	if s == "" {
		s = strconv.Itoa(DefaultSpreadPort)
	}
	if len(s) > maxSpreadName {
		return bad(fmt.Sprintf("daemon name is %d bytes, at most %d are allowed", len(s), maxSpreadName))
	}
	rest := strings.TrimLeft(s, " \t\n\v\f\r")
	if rest != "" && !startsNumber(rest) {
		// Extension: "host:port".
		host, port, err := net.SplitHostPort(rest)
		if err != nil || host == "" {
			return bad(`want "PORT", "PORT@HOST" or "HOST:PORT"`)
		}
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return bad(fmt.Sprintf("port %q is not a number in 0..65535", port))
		}
		return "tcp", net.JoinHostPort(host, strconv.FormatUint(p, 10)), nil
	}
	port, rest, ok := scanPort(rest)
	if !ok {
		return bad(`want "PORT", "PORT@HOST" or "HOST:PORT"`)
	}
	// %s: skip white space, take one word.
	rest = strings.TrimLeft(rest, " \t\n\v\f\r")
	if i := strings.IndexAny(rest, " \t\n\v\f\r"); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" {
		return "unix", socketDir + "/" + strconv.Itoa(int(port)), nil
	}
	if rest[0] != '@' {
		return bad(fmt.Sprintf("%q follows the port; want \"@HOST\"", rest))
	}
	host := rest[1:]
	if host == "" || strings.ContainsAny(host, "@:") {
		return bad(fmt.Sprintf("host %q is not a host name or IPv4 address", host))
	}
	return "tcp", net.JoinHostPort(host, strconv.Itoa(int(port))), nil
}

func startsNumber(s string) bool {
	c := s[0]
	if c == '+' || c == '-' {
		return len(s) > 1 && s[1] >= '0' && s[1] <= '9'
	}
	return c >= '0' && c <= '9'
}

// scanPort reads an optionally signed decimal number as %hu does: the value
// modulo 65536, negative numbers wrapped, overflow saturating (strtoul).
func scanPort(s string) (port uint16, rest string, ok bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	i := 0
	var v uint64
	overflow := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (^uint64(0)-d)/10 {
			overflow = true
		}
		v = v*10 + d
	}
	if i == 0 {
		return 0, s, false
	}
	if overflow {
		v = ^uint64(0)
	} else if neg {
		v = -v
	}
	return uint16(v), s[i:], true
}
