package daemon

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestListenErrorsNameTheAddressOnce: a listener that cannot be opened is
// a *ListenError naming the address and the system's reason once, with the
// cause still reachable by errors.Is.
func TestListenErrorsNameTheAddressOnce(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no", "such")
	for _, tc := range []struct {
		name  string
		cfg   Config
		addr  string
		cause error
		want  string
	}{
		// 192.0.2.1 is TEST-NET-1 (RFC 5737): no host has it.
		{"tcp", Config{Name: "a", Host: "192.0.2.1", NoUnixSocket: true}, "192.0.2.1:0", syscall.EADDRNOTAVAIL,
			"daemon: listen tcp 192.0.2.1:0: bind: cannot assign requested address"},
		{"unix", Config{Name: "a", Port: 4999, SocketDir: missing, NoTCP: true}, filepath.Join(missing, "4999"), syscall.ENOENT,
			"daemon: listen unix " + filepath.Join(missing, "4999") + ": bind: no such file or directory"},
	} {
		d, err := Start(tc.cfg)
		if err == nil {
			d.Close()
			t.Fatalf("%s: started", tc.name)
		}
		var le *ListenError
		if !errors.As(err, &le) || le.Addr != tc.addr || !errors.Is(err, tc.cause) {
			t.Errorf("%s: %#v, want a *ListenError for %s wrapping %v", tc.name, err, tc.addr, tc.cause)
		}
		if err.Error() != tc.want || strings.Count(err.Error(), tc.addr) != 1 {
			t.Errorf("%s: %q, want %q", tc.name, err, tc.want)
		}
	}
}
