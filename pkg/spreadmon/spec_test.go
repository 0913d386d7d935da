package spreadmon_test

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/spgo/spgo/pkg/spreadconf"
	"github.com/spgo/spgo/pkg/spreadmon"
)

func writeConf(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "spread.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const twoDaemons = "Spread_Segment 127.0.0.255:4900 {\n\tfar 192.0.2.1\n\tnear\n}\n"

func resolveNear(name string) (netip.Addr, error) {
	if name == "near" {
		return netip.MustParseAddr("127.0.0.1"), nil
	}
	return netip.Addr{}, errors.New("unknown")
}

// TestSpecTargets: the configuration's daemons, then -d's; the identity
// is the configuration's daemon on this host, or the one named.
func TestSpecTargets(t *testing.T) {
	conf := writeConf(t, twoDaemons)
	targets, id, err := spreadmon.Spec{Conf: conf, Daemons: []string{"127.0.0.2"}, Resolve: resolveNear}.Targets()
	want := []spreadmon.Target{target("far", "192.0.2.1:4900"), target("near", "127.0.0.1:4900"), target("127.0.0.2", "127.0.0.2:4803")}
	if err != nil || len(targets) != 3 || targets[0] != want[0] || targets[1] != want[1] || targets[2] != want[2] || id != loopback {
		t.Fatalf("targets %+v, identity %v, err %v", targets, id, err)
	}
	_, id, err = spreadmon.Spec{Conf: conf, Identity: "far", Resolve: resolveNear}.Targets()
	if err != nil || id != foreign {
		t.Errorf("identity far: %v, %v", id, err)
	}
}

// TestSpecDefault: no configuration found and no daemon named: the daemon
// on this host.
func TestSpecDefault(t *testing.T) {
	if _, err := os.Stat("/etc/spread.conf"); err == nil {
		t.Skip("this host has an /etc/spread.conf, which Spec would read instead of the default target")
	}
	t.Chdir(t.TempDir())
	targets, id, err := spreadmon.Spec{}.Targets()
	if err != nil || len(targets) != 1 || targets[0] != spreadmon.DefaultTarget() || id != loopback {
		t.Fatalf("targets %+v, identity %v, err %v", targets, id, err)
	}
	if err := os.WriteFile("spread.conf", []byte(twoDaemons), 0o600); err != nil {
		t.Fatal(err)
	}
	targets, _, err = spreadmon.Spec{Resolve: resolveNear}.Targets()
	if err != nil || len(targets) != 2 || targets[1].Name != "near" {
		t.Fatalf("./spread.conf: targets %+v, err %v", targets, err)
	}
}

func TestSpecErrors(t *testing.T) {
	bad := writeConf(t, "Spread_Segment 127.0.0.255 {\n\t=\n}\n")
	_, _, err := spreadmon.Spec{Conf: bad}.Targets()
	var ce *spreadmon.ConfigError
	var se *spreadconf.SyntaxError
	if !errors.As(err, &ce) || ce.Path != bad || !errors.As(err, &se) || se.Line != 2 || err.Error() != se.Error() {
		t.Errorf("bad configuration: %v", err)
	}
	missing := filepath.Join(t.TempDir(), "missing.conf")
	_, _, err = spreadmon.Spec{Conf: missing}.Targets()
	if !errors.As(err, &ce) || !errors.Is(err, fs.ErrNotExist) || err.Error() != "open "+missing+": no such file or directory" {
		t.Errorf("missing configuration: %v", err)
	}
	_, _, err = spreadmon.Spec{Daemons: []string{"127.0.0.1", "::1"}}.Targets()
	var te *spreadmon.TargetError
	if !errors.As(err, &te) || te.Input != "::1" {
		t.Errorf("IPv6 target: %v", err)
	}
	_, _, err = spreadmon.Spec{Daemons: []string{"127.0.0.1"}, Identity: "d9"}.Targets()
	var ie *spreadmon.IdentityError
	if !errors.As(err, &ie) || ie.Identity != "d9" {
		t.Errorf("unknown identity: %v", err)
	}
}
