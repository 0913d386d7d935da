package spread_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/spread"
)

// The verified inputs of docs/protocol.md §3 (libspread's sscanf("%hu%s") rules).
func TestParseDaemonName(t *testing.T) {
	ok := []struct{ in, network, addr string }{
		{"", "unix", "/tmp/4803"},
		{"4913", "unix", "/tmp/4913"},
		{"4913@localhost", "tcp", "localhost:4913"},
		{"4913@127.0.0.1", "tcp", "127.0.0.1:4913"},
		{"4913 @localhost", "tcp", "localhost:4913"},
		{" 4913@127.0.0.1", "tcp", "127.0.0.1:4913"},
		{"+4913@127.0.0.1", "tcp", "127.0.0.1:4913"},
		{"70449@127.0.0.1", "tcp", "127.0.0.1:4913"},
		{"-4913@h", "tcp", "h:60623"},
		{"4913@127.0.0.1 junk", "tcp", "127.0.0.1:4913"},
		{"4913\t", "unix", "/tmp/4913"},
		{"99999999999999999999999@h", "tcp", "h:65535"},
		{"localhost:4913", "tcp", "localhost:4913"}, // extension
		{"[::1]:4803", "tcp", "[::1]:4803"},         // extension
	}
	for _, tc := range ok {
		network, addr, err := spread.ParseDaemonName(tc.in)
		if err != nil || network != tc.network || addr != tc.addr {
			t.Errorf("ParseDaemonName(%q) = %q, %q, %v; want %q, %q", tc.in, network, addr, err, tc.network, tc.addr)
		}
	}
	for _, in := range []string{"4913x", "0x1331@127.0.0.1", "4913@", "4913@127.0.0.1:55", "4913@127.0.0.1@x",
		"   ", "@host", "+", "-@h", "host:port", "host:70000", ":4803", strings.Repeat("1", 71)} {
		if network, addr, err := spread.ParseDaemonName(in); !errors.Is(err, spread.ErrIllegalSpread) {
			t.Errorf("ParseDaemonName(%q) = %q, %q, %v; want ILLEGAL_SPREAD", in, network, addr, err)
		}
	}
}

func TestConnectUnknownHostIsIllegalSpread(t *testing.T) {
	if _, err := spread.Connect("4913@nonexistent.invalid"); !errors.Is(err, spread.ErrIllegalSpread) {
		t.Fatalf("Connect = %v, want ILLEGAL_SPREAD like libspread's failed gethostbyname", err)
	}
}
