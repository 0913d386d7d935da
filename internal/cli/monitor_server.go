package cli

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"

	"github.com/spgo/spgo/pkg/spread"
)

// monitorServers turns the daemons -s names (or $SPGO_SERVER's, when no
// flag names a daemon) into HOST:PORT targets: a Spread daemon's monitor
// port is its client port. A bare PORT is the daemon of /tmp/PORT, on this
// host: 127.0.0.1:PORT. fromEnv says where the names came from, for the
// error.
func monitorServers(names []string, fromEnv bool) ([]string, error) {
	var out []string
	for _, given := range names {
		targets, err := serverTargets(given)
		switch {
		case err != nil && fromEnv:
			return nil, invalidValue(fmt.Errorf("invalid $%s %q: %v", EnvServer, given, err))
		case err != nil:
			return nil, invalidValue(fmt.Errorf("invalid -s %q: %v", given, err))
		}
		out = append(out, targets...)
	}
	return out, nil
}

// serverTargets is one -s value, a daemon name or a list of them, as
// HOST:PORT targets.
func serverTargets(given string) ([]string, error) {
	names, err := splitServers(given)
	if err != nil {
		return nil, err
	}
	targets := make([]string, 0, len(names))
	for _, name := range names {
		t, err := monitorServer(name)
		if err != nil {
			return nil, err
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// monitorServer is one daemon name as a HOST:PORT target.
func monitorServer(name string) (string, error) {
	network, addr, err := spread.ParseDaemonName(name)
	if err != nil {
		return "", detail(err)
	}
	if network == "unix" {
		return net.JoinHostPort("127.0.0.1", filepath.Base(addr)), nil
	}
	return addr, nil
}

// monitorEnvServers is $SPGO_SERVER's daemons for spgo monitor when no
// flag names one; nil when it is unset.
func monitorEnvServers(f *Factory) []string {
	if f.Getenv == nil {
		return nil
	}
	if v := strings.TrimSpace(f.Getenv(EnvServer)); v != "" {
		return []string{v}
	}
	return nil
}
