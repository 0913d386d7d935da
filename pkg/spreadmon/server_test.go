package spreadmon_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/spgo/spgo/pkg/spread"
	"github.com/spgo/spgo/pkg/spreadmon"
)

// TestParseServers: a bare PORT is this host's daemon, PORT@HOST is that
// host's, a list asks each in its order.
func TestParseServers(t *testing.T) {
	got, err := spreadmon.ParseServers("4803, 4804@127.0.0.2,4805@127.0.0.3")
	want := []spreadmon.Target{target("127.0.0.1:4803", "127.0.0.1:4803"),
		target("127.0.0.2:4804", "127.0.0.2:4804"), target("127.0.0.3:4805", "127.0.0.3:4805")}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
}

// TestParseServersErrors: each error names the list as given and says what
// is wrong with one name in it, the cause reachable with errors.As.
func TestParseServersErrors(t *testing.T) {
	for _, c := range []struct{ in, msg string }{
		{"4803,,4804", `empty daemon name in "4803,,4804": allowed are PORT or PORT@HOST, several separated by commas`},
		{"4803x", `"x" follows the port; want "@HOST"`},
	} {
		_, err := spreadmon.ParseServers(c.in)
		var se *spreadmon.ServerError
		if !errors.As(err, &se) || se.Input != c.in || se.Msg != c.msg {
			t.Errorf("%q: %v, want a *ServerError with %q", c.in, err, c.msg)
		}
	}
	var spreadErr *spread.Error
	if _, err := spreadmon.ParseServers("4803x"); !errors.As(err, &spreadErr) || spreadErr.Code != spread.IllegalSpread {
		t.Errorf("4803x: cause %v, want spread's IllegalSpread", err)
	}
	var te *spreadmon.TargetError
	if _, err := spreadmon.ParseServers("4803@no-such-host.invalid"); !errors.As(err, &te) || te.Input != "no-such-host.invalid:4803" {
		t.Errorf("an unknown host: cause %v, want ParseTarget's *TargetError", err)
	}
}

// TestSpecServers: Servers come after Daemons, and naming one is enough
// for no spread.conf to be looked for.
func TestSpecServers(t *testing.T) {
	t.Chdir(t.TempDir())
	targets, id, err := spreadmon.Spec{Daemons: []string{"127.0.0.2"}, Servers: []string{"4803,4804"}}.Targets()
	want := []spreadmon.Target{target("127.0.0.2", "127.0.0.2:4803"),
		target("127.0.0.1:4803", "127.0.0.1:4803"), target("127.0.0.1:4804", "127.0.0.1:4804")}
	if err != nil || !slices.Equal(targets, want) || id != loopback {
		t.Fatalf("targets %+v, identity %v, err %v", targets, id, err)
	}
	var se *spreadmon.ServerError
	if _, _, err := (spreadmon.Spec{Servers: []string{"4803", ""}}).Targets(); !errors.As(err, &se) || se.Input != "" {
		t.Errorf("empty entry: %v, want a *ServerError for it", err)
	}
}
