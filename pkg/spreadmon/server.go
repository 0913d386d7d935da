package spreadmon

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/spgo/spgo/pkg/spread"
)

// ServerError is ParseServers's error: the list it was given and what is
// wrong with it.
type ServerError struct {
	Input string // the list as given
	Msg   string // what is wrong, and what is allowed
	Err   error  // ParseDaemonName's or ParseTarget's error, if one was the cause
}

// Error is `server "INPUT": MSG`.
func (e *ServerError) Error() string { return fmt.Sprintf("server %q: %s", e.Input, e.Msg) }

// Unwrap gives the cause to errors.Is and errors.As.
func (e *ServerError) Unwrap() error { return e.Err }

// ParseServers reads daemons named the way Spread clients name them (see
// spread.ParseDaemonName), several separated by commas, as targets: a
// daemon's monitor port is its client port, and a bare PORT (the daemon of
// the Unix socket /tmp/PORT) is on this host, 127.0.0.1:PORT. Each
// target's name is its HOST:PORT. Every error is a *ServerError.
func ParseServers(list string) ([]Target, error) {
	var out []Target
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, &ServerError{Input: list, Msg: fmt.Sprintf("empty daemon name in %q: allowed are PORT or PORT@HOST, several separated by commas", list)}
		}
		t, err := parseServer(list, name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// parseServer is one daemon name of list as a target.
func parseServer(list, name string) (Target, error) {
	network, addr, err := spread.ParseDaemonName(name)
	if err != nil {
		msg := err.Error()
		var se *spread.Error
		if errors.As(err, &se) && se.Detail != "" {
			msg = se.Detail
		}
		return Target{}, &ServerError{Input: list, Msg: msg, Err: err}
	}
	if network == "unix" {
		addr = net.JoinHostPort("127.0.0.1", filepath.Base(addr))
	}
	t, err := ParseTarget(addr)
	var te *TargetError
	if errors.As(err, &te) {
		return Target{}, &ServerError{Input: list, Msg: te.Msg, Err: te}
	}
	return t, err
}
