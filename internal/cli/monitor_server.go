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
		list, err := splitServers(given)
		if err == nil {
			for _, name := range list {
				var t string
				if t, err = monitorServer(name); err != nil {
					break
				}
				out = append(out, t)
			}
		}
		if err != nil {
			if fromEnv {
				return nil, invalidValue(fmt.Errorf("invalid $%s %q: %v", EnvServer, given, err))
			}
			return nil, invalidValue(fmt.Errorf("invalid -s %q: %v", given, err))
		}
	}
	return out, nil
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
