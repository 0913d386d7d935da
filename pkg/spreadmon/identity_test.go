package spreadmon_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/spreadconf"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// foreign is an address of no host (TEST-NET-1).
var foreign = netip.MustParseAddr("192.0.2.1")

func conf(addrs ...string) *spreadconf.Config {
	cfg := &spreadconf.Config{}
	for i, a := range addrs {
		cfg.Daemons = append(cfg.Daemons, spreadconf.Daemon{Name: "d" + string(rune('1'+i)), Addr: netip.MustParseAddr(a), Port: 4803})
	}
	return cfg
}

func TestParseIdentity(t *testing.T) {
	cfg := conf("192.0.2.1", "127.0.0.1")
	for _, c := range []struct {
		in   string
		cfg  *spreadconf.Config
		want string
	}{
		{"d2", cfg, "127.0.0.1"},
		{"d1", cfg, "192.0.2.1"},
		{"10.0.0.9", cfg, "10.0.0.9"},
		{"10.0.0.9", nil, "10.0.0.9"},
	} {
		if got, err := spreadmon.ParseIdentity(c.in, c.cfg); err != nil || got.String() != c.want {
			t.Errorf("ParseIdentity(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"d2", "nonsense", "::1", ""} {
		_, err := spreadmon.ParseIdentity(bad, nil)
		var ie *spreadmon.IdentityError
		if !errors.As(err, &ie) || ie.Identity != bad || ie.Default ||
			err.Error() != "identity "+bad+" is neither a daemon name of the configuration nor an IPv4 address" {
			t.Errorf("ParseIdentity(%q): %v", bad, err)
		}
	}
}

func TestDefaultIdentity(t *testing.T) {
	first := target("x", "127.0.0.1:4803")
	if got, err := spreadmon.DefaultIdentity(conf("192.0.2.1", "127.0.0.1"), first); err != nil || got != loopback {
		t.Errorf("the configuration's local daemon: %v, %v", got, err)
	}
	// No daemon of the configuration is on this host: the route to the
	// first target decides.
	if got, err := spreadmon.DefaultIdentity(conf("192.0.2.1"), first); err != nil || got != loopback {
		t.Errorf("the route: %v, %v", got, err)
	}
	if got, err := spreadmon.DefaultIdentity(nil, first); err != nil || got != loopback {
		t.Errorf("no configuration: %v, %v", got, err)
	}
	_, err := spreadmon.DefaultIdentity(nil, target("v6", "[::1]:4803"))
	var ie *spreadmon.IdentityError
	if !errors.As(err, &ie) || !ie.Default || ie.Err == nil || !strings.HasPrefix(err.Error(), "no address of this host reaches [::1]:4803: dial udp4 ") {
		t.Errorf("no route: %v", err)
	}
}

func TestNewPollerIdentityErrors(t *testing.T) {
	_, err := spreadmon.NewPoller(foreign, nil)
	var ie *spreadmon.IdentityError
	if !errors.As(err, &ie) || ie.Identity != "192.0.2.1" || ie.Err == nil ||
		!strings.HasPrefix(err.Error(), "identity 192.0.2.1 is not an address of this host: listen udp4 192.0.2.1:0: ") {
		t.Errorf("foreign identity: %v", err)
	}
	_, err = spreadmon.NewPoller(netip.MustParseAddr("::1"), nil)
	if !errors.As(err, &ie) || err.Error() != "identity ::1 is not IPv4: the monitor protocol carries IPv4 addresses only" {
		t.Errorf("IPv6 identity: %v", err)
	}
}

func TestIsLocal(t *testing.T) {
	if !spreadmon.IsLocal(loopback) || spreadmon.IsLocal(foreign) {
		t.Errorf("IsLocal(127.0.0.1) %v, IsLocal(192.0.2.1) %v", spreadmon.IsLocal(loopback), spreadmon.IsLocal(foreign))
	}
}
