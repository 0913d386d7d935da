package spreadmon

import (
	"net/netip"

	"github.com/spgo/spgo/pkg/spreadconf"
)

// Spec says which daemons to ask and which address to claim, the way
// spmonitor's command line does.
type Spec struct {
	// Conf is a spread.conf whose daemons are asked. With none of Conf,
	// Daemons and Servers, spreadconf.Find's file is read if there is one.
	Conf string
	// Daemons are more daemons to ask, HOST[:PORT] each (ParseTarget).
	Daemons []string
	// Servers are more daemons to ask, named as Spread clients name them,
	// several separated by commas in one entry (ParseServers).
	Servers []string
	// Identity is the address to claim: a daemon name of Conf or an IPv4
	// address of this host; "" for DefaultIdentity's.
	Identity string
	// Resolve looks up the daemons Conf names without an address; nil
	// means spreadconf.LookupIPv4.
	Resolve spreadconf.Resolver
}

// DefaultTarget is asked when a Spec names no daemon and no spread.conf
// is found: the daemon on this host at DefaultPort.
func DefaultTarget() Target {
	return Target{Name: "127.0.0.1", Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), DefaultPort)}
}

// ConfigError is a spread.conf a Spec names that cannot be read. Its text
// is Err's, which names the file.
type ConfigError struct {
	Path string // the file
	Err  error  // spreadconf.Load's: a *spreadconf.SyntaxError, or the file's *fs.PathError
}

// Error is Err's text.
func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap gives Load's error to errors.Is and errors.As.
func (e *ConfigError) Unwrap() error { return e.Err }

// Targets resolves the spec: the daemons of the configuration, then those
// of Daemons, then those of Servers (DefaultTarget() when there are none),
// and the identity to claim. Errors are a *ConfigError, a *TargetError, a
// *ServerError or an *IdentityError.
func (s Spec) Targets() (targets []Target, identity netip.Addr, err error) {
	conf := s.Conf
	if conf == "" && len(s.Daemons) == 0 && len(s.Servers) == 0 {
		if found, ferr := spreadconf.Find(); ferr == nil {
			conf = found
		}
	}
	var cfg *spreadconf.Config
	if conf != "" {
		if cfg, err = spreadconf.Load(conf, s.Resolve); err != nil {
			return nil, identity, &ConfigError{Path: conf, Err: err}
		}
		targets = ConfTargets(cfg)
	}
	for _, d := range s.Daemons {
		t, err := ParseTarget(d)
		if err != nil {
			return nil, identity, err
		}
		targets = append(targets, t)
	}
	for _, list := range s.Servers {
		ts, err := ParseServers(list)
		if err != nil {
			return nil, identity, err
		}
		targets = append(targets, ts...)
	}
	if len(targets) == 0 {
		targets = []Target{DefaultTarget()}
	}
	if s.Identity != "" {
		identity, err = ParseIdentity(s.Identity, cfg)
	} else {
		identity, err = DefaultIdentity(cfg, targets[0])
	}
	return targets, identity, err
}
