package spreadmon_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/spreadconf"
	"github.com/spgo/spgo/pkg/spreadmon"
)

func TestParseTarget(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":      "127.0.0.1:4803",
		"127.0.0.1:4804": "127.0.0.1:4804",
		"10.1.2.3:1":     "10.1.2.3:1",
		"localhost:5000": "127.0.0.1:5000",
	} {
		got, err := spreadmon.ParseTarget(in)
		if err != nil || got.Addr.String() != want || got.Name != in {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %s", in, got, err, want)
		}
	}
}

func TestParseTargetErrors(t *testing.T) {
	cases := []struct{ in, msg string }{
		{"127.0.0.1:99999", `target "127.0.0.1:99999": port "99999" must be 1..65535`},
		{"127.0.0.1:0", `target "127.0.0.1:0": port "0" must be 1..65535`},
		{"127.0.0.1:http", `target "127.0.0.1:http": port "http" must be 1..65535`},
		{"::1", `target "::1": the monitor protocol reaches IPv4 daemons only`},
		{"[::1]:4803", `target "[::1]:4803": the monitor protocol reaches IPv4 daemons only`},
		{"not a host", `target "not a host": want HOST[:PORT] with an IPv4 host: lookup not a host`},
	}
	for _, c := range cases {
		_, err := spreadmon.ParseTarget(c.in)
		var te *spreadmon.TargetError
		if !errors.As(err, &te) || te.Input != c.in || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("ParseTarget(%q): %v, want %q", c.in, err, c.msg)
		}
	}
	_, err := spreadmon.ParseTarget("not a host")
	var te *spreadmon.TargetError
	if !errors.As(err, &te) || te.Err == nil || errors.Unwrap(err) != te.Err {
		t.Errorf("a failed lookup's error is not kept: %#v", err)
	}
}

func TestTargetLabel(t *testing.T) {
	for _, c := range []struct {
		t    spreadmon.Target
		want string
	}{
		{target("d1", "10.0.0.1:4803"), "d1 (10.0.0.1:4803)"},
		{target("10.0.0.1", "10.0.0.1:4803"), "10.0.0.1:4803"},
		{target("10.0.0.1:4803", "10.0.0.1:4803"), "10.0.0.1:4803"},
		{target("10.0.0.1:04803", "10.0.0.1:4803"), "10.0.0.1:4803"},
	} {
		if got := c.t.Label(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.t, got, c.want)
		}
	}
}

func TestConfTargets(t *testing.T) {
	cfg := &spreadconf.Config{Daemons: []spreadconf.Daemon{
		{Name: "d1", Addr: netip.MustParseAddr("10.0.0.1"), Port: 4803},
		{Name: "d2", Addr: netip.MustParseAddr("10.0.1.1"), Port: 4900, Segment: 1},
	}}
	got := spreadmon.ConfTargets(cfg)
	if len(got) != 2 || got[0] != target("d1", "10.0.0.1:4803") || got[1] != target("d2", "10.0.1.1:4900") {
		t.Errorf("targets %+v", got)
	}
}
