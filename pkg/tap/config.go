package tap

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spgo/spgo/internal/unixsock"
	"github.com/spgo/spgo/pkg/spread"
)

// Defaults of a Config.
const (
	DefaultHost        = "127.0.0.1" // the tap listens on loopback unless told otherwise
	DefaultSocketDir   = "/tmp"      // where clients look for a daemon's Unix socket
	DefaultDialTimeout = 5 * time.Second
)

// Config says where a tap listens, where it forwards, what it shows and
// records, and what it disturbs.
type Config struct {
	// Daemon is the daemon every connection is forwarded to, named as
	// Spread names daemons ("4803", "4803@host"; see spread.ParseDaemonName).
	Daemon string
	// Listen is where clients connect, named the same way: "PORT" listens
	// on TCP 127.0.0.1:PORT, "PORT@HOST" on HOST:PORT; either also on the
	// Unix socket SocketDir/PORT, so both of the client's forms work.
	// Port 0 picks a free port.
	Listen       string
	SocketDir    string // default DefaultSocketDir
	NoUnixSocket bool   // listen on TCP only
	DialTimeout  time.Duration

	// Sessions and Groups select what OnFrame gets and what Faults
	// disturb; empty selects everything. A session is named by its
	// private name ("alice") or its private group ("#alice#d1"); a frame
	// concerns a group when it names it as sender, destination, group or
	// member.
	Sessions []string
	Groups   []string

	// OnFrame gets every frame the filters select, with connections'
	// opens and closes, one call at a time: each connection's frames in
	// order, and across connections in causal order when the tap records
	// or counts frames for a stall or cut (it then decodes each chunk
	// before forwarding it); otherwise it forwards first, and frames of
	// different connections may come in another order than they passed.
	// A slow OnFrame slows the sessions down.
	OnFrame func(Frame)
	// OnFrameView gets the same frames as OnFrame, at the same moments,
	// with no copy: the frame is valid only during the call and must not
	// be changed (Frame.Clone keeps one). It is the cheaper of the two
	// for a caller that only prints or counts.
	OnFrameView func(*Frame)
	// Record, when set, gets every conversation, whatever the filters
	// select, in the capture format (testdata/captures/README.md).
	Record io.Writer

	Faults Faults
}

// Faults disturb the sessions the filters select, in Direction ("" for
// both). Frames are counted in that direction, among those the filters
// select.
type Faults struct {
	Direction Direction
	// Delay holds every chunk back by Delay plus a random part of Jitter,
	// keeping the order of the bytes.
	Delay, Jitter time.Duration
	// StallAfter N: after the N-th frame, nothing is forwarded for Stall.
	StallAfter int
	Stall      time.Duration
	// CutAfter N: after forwarding the N-th frame the tap closes both
	// sides of the session.
	CutAfter int
}

// ConfigError is a Config field with a value the tap cannot use.
type ConfigError struct {
	Field string // the Config field
	Value string
	Why   string // what is allowed
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("tap: %s %q: %s", e.Field, e.Value, e.Why)
}

// ErrPortInUse is wrapped by Start's error when the TCP port is taken.
var ErrPortInUse = errors.New("port is in use")

// ErrSocketInUse is wrapped by Start's error when a running process
// accepts on the Unix socket the tap would listen on.
var ErrSocketInUse = unixsock.ErrInUse

// check validates c and fills its defaults.
func (c *Config) check() error {
	if c.SocketDir == "" {
		c.SocketDir = DefaultSocketDir
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if _, _, err := spread.ParseDaemonName(c.Daemon); err != nil {
		return &ConfigError{Field: "Daemon", Value: c.Daemon, Why: `want "PORT" or "PORT@HOST"`}
	}
	if _, _, err := ParseListen(c.Listen); err != nil {
		return err
	}
	return c.Faults.check()
}

func (f *Faults) check() error {
	bad := func(field string, v any, why string) error {
		return &ConfigError{Field: "Faults." + field, Value: fmt.Sprint(v), Why: why}
	}
	switch {
	case f.Direction != "" && f.Direction != ClientToDaemon && f.Direction != DaemonToClient:
		return bad("Direction", f.Direction, `want "C>D", "D>C" or "" (both)`)
	case f.Delay < 0 || f.Jitter < 0 || f.Stall < 0:
		return bad("Delay, Jitter or Stall", []time.Duration{f.Delay, f.Jitter, f.Stall}, "durations cannot be negative")
	case f.StallAfter < 0 || f.CutAfter < 0:
		return bad("StallAfter or CutAfter", []int{f.StallAfter, f.CutAfter}, "frame counts cannot be negative")
	case (f.StallAfter > 0) != (f.Stall > 0):
		return bad("StallAfter", f.StallAfter, "a stall needs both StallAfter and Stall")
	}
	return nil
}

// ParseListen splits a listen name, "PORT" or "PORT@HOST", into the host
// (DefaultHost when none is named) and the port (0..65535).
func ParseListen(s string) (host string, port int, err error) {
	p, h, at := strings.Cut(s, "@")
	port, perr := strconv.Atoi(p)
	switch {
	case perr != nil || port < 0 || port > 65535:
		return "", 0, &ConfigError{Field: "Listen", Value: s, Why: "want PORT or PORT@HOST, PORT a number in 0..65535"}
	case at && (h == "" || strings.ContainsAny(h, "@ ")):
		return "", 0, &ConfigError{Field: "Listen", Value: s, Why: "want PORT or PORT@HOST, HOST a host name or address"}
	case !at:
		h = DefaultHost
	}
	return h, port, nil
}
