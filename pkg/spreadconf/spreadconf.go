// Package spreadconf reads the daemons of a Spread 4.x spread.conf as
// spmonitor does: every Spread_Segment with its port (4803 when not
// given) and the daemons in it, with their addresses (a daemon named
// without one is looked up by name). Other settings are skipped but must
// be well formed; a file that is not is a *SyntaxError naming the line.
// The first MiB of a file is read.
package spreadconf

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// Limits of a real 4.4 daemon's configuration, which Parse enforces.
const (
	// DefaultPort is a segment's port when its address names none.
	DefaultPort = 4803
	// MaxNameLen is the longest daemon name in bytes (MAX_PROC_NAME
	// without its NUL).
	MaxNameLen = 19
	// MaxSegments is the most Spread_Segment sections.
	MaxSegments = 20
	// MaxDaemons is the most daemons in the whole configuration.
	MaxDaemons = 128
	// MaxPerSegment is the most daemons in one segment.
	MaxPerSegment = 128
	// DefaultSearch1 is the first place spmonitor looks without -c; Find
	// then tries /etc/spread.conf.
	DefaultSearch1 = "./spread.conf"
)

// Daemon is one daemon of the configuration.
type Daemon struct {
	// Name is the daemon's name in the file.
	Name string
	// Addr is its IPv4 address: its identity, where status queries go.
	Addr netip.Addr
	// Port is its segment's port.
	Port int
	// Segment is its segment's index in Config.Segments.
	Segment int
	// Line is the line of the file that names it.
	Line int
}

// Segment is one Spread_Segment.
type Segment struct {
	// Addr is the segment's broadcast address.
	Addr netip.Addr
	// Port is the segment's port (DefaultPort when not given).
	Port int
}

// Config is what a spread.conf says about the daemons.
type Config struct {
	// File is the name the configuration was read under.
	File string
	// Segments are the Spread_Segment sections, in file order.
	Segments []Segment
	// Daemons are every segment's daemons, in file order.
	Daemons []Daemon
}

// SyntaxError is a configuration that cannot be read: the file, the line
// and what was expected there.
type SyntaxError struct {
	File string // the name the configuration was read under
	Line int    // 1-based
	Msg  string // what was found and what was expected, on one line
}

// Error is "FILE:LINE: MSG".
func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Resolver looks up a daemon named without an address.
type Resolver func(name string) (netip.Addr, error)

// LookupIPv4 resolves with the system resolver, as the real daemon does.
func LookupIPv4(name string) (netip.Addr, error) {
	ips, err := net.LookupIP(name)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			a, _ := netip.AddrFromSlice(v4)
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("%s has no IPv4 address", name)
}

// Load reads the configuration at path; daemons named without an address
// are looked up with resolve (nil: LookupIPv4). A file that cannot be
// opened is the *os.PathError of os.Open.
func Load(path string, resolve Resolver) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f, resolve)
}

// Parse reads a configuration named name (for errors) from r; daemons named
// without an address are looked up with resolve (nil: LookupIPv4). A
// configuration without any daemon is a *SyntaxError.
func Parse(name string, r io.Reader, resolve Resolver) (*Config, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if resolve == nil {
		resolve = LookupIPv4
	}
	p := &parser{file: name, toks: lex(string(b)), resolve: resolve, cfg: &Config{File: name}}
	if err := p.config(); err != nil {
		return nil, err
	}
	if len(p.cfg.Daemons) == 0 {
		return nil, &SyntaxError{File: name, Line: p.lastLine(), Msg: "no Spread_Segment with a daemon in it"}
	}
	return p.cfg, nil
}

// ErrNoConfig is returned by Find when neither place has a spread.conf.
var ErrNoConfig = errors.New("no spread.conf in the current directory or in /etc")

// Find returns the spread.conf spmonitor reads without -c: ./spread.conf,
// else /etc/spread.conf.
func Find() (string, error) {
	for _, p := range []string{DefaultSearch1, "/etc/spread.conf"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", ErrNoConfig
}

// token kinds, as the real daemon's lexer has them.
type kind int

const (
	tString kind = iota
	tIP          // a.b.c.d or a.b.c.d:port
	tOpen
	tClose
	tEquals
	tEOF
)

type token struct {
	kind kind
	text string
	line int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tOpen:
		return "'{'"
	case tClose:
		return "'}'"
	case tEquals:
		return "'='"
	}
	return strconv.Quote(t.text)
}

// lex splits a configuration into tokens: '#' comments to the end of the
// line; '{', '}', '=' alone; anything else up to space, '#' or a brace is
// one word (quoted strings keep their spaces).
func lex(s string) []token {
	var out []token
	line := 1
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '{':
			out = append(out, token{tOpen, "{", line})
			i++
		case c == '}':
			out = append(out, token{tClose, "}", line})
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				j = len(s) - i - 1
			}
			text := s[i+1 : i+1+j]
			out = append(out, token{tString, text, line})
			line += strings.Count(text, "\n")
			i += j + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n#{}", rune(s[j])) {
				j++
			}
			w := s[i:j]
			k := tString
			switch {
			case w == "=":
				k = tEquals
			case isIP(w):
				k = tIP
			}
			out = append(out, token{k, w, line})
			i = j
		}
	}
	return append(out, token{tEOF, "", line})
}

func isIP(w string) bool {
	host, _, found := strings.Cut(w, ":")
	parts := strings.Split(host, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	if found {
		_, port, _ := strings.Cut(w, ":")
		return len(port) > 0 && len(port) <= 5 && strings.Trim(port, "0123456789") == ""
	}
	return true
}

type parser struct {
	file    string
	toks    []token
	pos     int
	resolve Resolver
	cfg     *Config
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}
func (p *parser) lastLine() int { return p.toks[len(p.toks)-1].line }

func (p *parser) errorf(t token, format string, a ...any) error {
	return &SyntaxError{File: p.file, Line: t.line, Msg: oneLine(fmt.Sprintf(format, a...))}
}

// oneLine escapes control characters (a quoted word may span lines) so that
// an error stays one line whatever the file holds.
func oneLine(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// standalone are the settings that may stand without "= VALUE".
var standalone = map[string]bool{"EventTimeStamp": true, "EventPreciseTimeStamp": true, "DebugInitialSequence": true}

func (p *parser) config() error {
	for {
		t := p.next()
		switch {
		case t.kind == tEOF:
			return nil
		case t.kind == tString && t.text == "Spread_Segment":
			if err := p.segment(t); err != nil {
				return err
			}
		case t.kind == tString && t.text == "RouteMatrix":
			if err := p.skipBlock(p.next()); err != nil {
				return err
			}
		case t.kind == tString && standalone[t.text] && p.peek().kind != tEquals:
			// EventTimeStamp, EventPreciseTimeStamp, DebugInitialSequence
		case t.kind == tString:
			if eq := p.next(); eq.kind != tEquals {
				return p.errorf(eq, "expected '=' after %s, got %s", t.text, eq)
			}
			v := p.next()
			switch v.kind {
			case tOpen:
				if err := p.skipBlock(v); err != nil {
					return err
				}
			case tString, tIP:
			default:
				return p.errorf(v, "expected a value for %s, got %s", t.text, v)
			}
		default:
			return p.errorf(t, "expected Spread_Segment or NAME = VALUE, got %s", t)
		}
	}
}

// skipBlock skips a { ... } block whose '{' is open.
func (p *parser) skipBlock(open token) error {
	if open.kind != tOpen {
		return p.errorf(open, "expected '{', got %s", open)
	}
	depth := 1
	for depth > 0 {
		t := p.next()
		switch t.kind {
		case tOpen:
			depth++
		case tClose:
			depth--
		case tEOF:
			return p.errorf(t, "expected '}' to close the block opened on line %d, got end of file", open.line)
		}
	}
	return nil
}

func parseIP(t token) (netip.Addr, int, error) {
	host, port, _ := strings.Cut(t.text, ":")
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() {
		return netip.Addr{}, 0, fmt.Errorf("invalid IPv4 address %q", host)
	}
	n := 0
	if port != "" {
		if n, err = strconv.Atoi(port); err != nil || n > 65535 {
			return netip.Addr{}, 0, fmt.Errorf("invalid port %q (0..65535)", port)
		}
	}
	return a, n, nil
}

func (p *parser) segment(kw token) error {
	at := p.next()
	if at.kind != tIP {
		return p.errorf(at, "expected the segment's address A.B.C.D[:PORT] after Spread_Segment, got %s", at)
	}
	addr, port, err := parseIP(at)
	if err != nil {
		return p.errorf(at, "Spread_Segment: %v", err)
	}
	if port == 0 {
		port = DefaultPort
	}
	if len(p.cfg.Segments) == MaxSegments {
		return p.errorf(kw, "more than %d segments", MaxSegments)
	}
	seg := len(p.cfg.Segments)
	p.cfg.Segments = append(p.cfg.Segments, Segment{Addr: addr, Port: port})
	if open := p.next(); open.kind != tOpen {
		return p.errorf(open, "expected '{' after Spread_Segment %s, got %s", at.text, open)
	}
	inSeg := 0
	for {
		t := p.next()
		switch t.kind {
		case tClose:
			return nil
		case tString:
		case tEOF:
			return p.errorf(t, "expected '}' to close Spread_Segment %s (line %d), got end of file", at.text, at.line)
		default:
			return p.errorf(t, "expected a daemon name or '}' in Spread_Segment %s, got %s", at.text, t)
		}
		d, err := p.daemon(t)
		if err != nil {
			return err
		}
		d.Port, d.Segment = port, seg
		inSeg++
		if inSeg > MaxPerSegment || len(p.cfg.Daemons) == MaxDaemons {
			return p.errorf(t, "too many daemons (%d per segment, %d in all)", MaxPerSegment, MaxDaemons)
		}
		p.cfg.Daemons = append(p.cfg.Daemons, d)
	}
}

// daemon reads NAME [A.B.C.D] [{ [M|C|D...] A.B.C.D ... }].
func (p *parser) daemon(name token) (Daemon, error) {
	d := Daemon{Name: name.text, Line: name.line}
	if len(d.Name) > MaxNameLen {
		return d, p.errorf(name, "daemon name %q is %d bytes: allowed 1..%d", d.Name, len(d.Name), MaxNameLen)
	}
	for _, o := range p.cfg.Daemons {
		if o.Name == d.Name {
			return d, p.errorf(name, "daemon name %q already used on line %d", d.Name, o.Line)
		}
	}
	if p.peek().kind == tIP {
		t := p.next()
		a, _, err := parseIP(t)
		if err != nil {
			return d, p.errorf(t, "daemon %s: %v", d.Name, err)
		}
		d.Addr = a
	}
	if p.peek().kind == tOpen {
		open := p.next()
		ifaces := 0
		for {
			t := p.next()
			switch {
			case t.kind == tClose:
				if ifaces == 0 {
					return d, p.errorf(t, "daemon %s: interfaces section without an address", d.Name)
				}
				goto done
			case t.kind == tIP:
				if _, _, err := parseIP(t); err != nil {
					return d, p.errorf(t, "daemon %s: %v", d.Name, err)
				}
				ifaces++
			case t.kind == tString && strings.Trim(t.text, "MCD") == "":
			case t.kind == tEOF:
				return d, p.errorf(t, "expected '}' to close daemon %s's interfaces (line %d), got end of file", d.Name, open.line)
			default:
				return d, p.errorf(t, "expected an interface (M, C or D, then A.B.C.D) or '}' for daemon %s, got %s", d.Name, t)
			}
		}
	}
done:
	if !d.Addr.IsValid() {
		a, err := p.resolve(d.Name)
		if err != nil {
			return d, p.errorf(name, "daemon %s has no address and its name does not resolve: %v", d.Name, err)
		}
		d.Addr = a
	}
	for _, o := range p.cfg.Daemons {
		if o.Addr == d.Addr {
			return d, p.errorf(name, "daemon %s has address %s, like %s on line %d", d.Name, d.Addr, o.Name, o.Line)
		}
	}
	return d, nil
}
