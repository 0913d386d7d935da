package daemon_test

import (
	"slices"
	"testing"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// TestServiceNamesAreTheClients: the daemon's HTTP and UDP faces label by
// these names, clients by spread's; they must be the same list, one per
// Status.Services slot.
func TestServiceNamesAreTheClients(t *testing.T) {
	got := daemon.ServiceNames()
	if !slices.Equal(got, spread.ServiceNames()) || len(got) != daemon.NumServices {
		t.Errorf("daemon.ServiceNames() = %q, spread.ServiceNames() = %q, NumServices %d", got, spread.ServiceNames(), daemon.NumServices)
	}
	got[0] = "changed"
	if daemon.ServiceNames()[0] != "unreliable" {
		t.Error("ServiceNames returned shared storage")
	}
}

func TestProtocolVersionIsTheClients(t *testing.T) {
	a, b, c := daemon.ProtocolVersion()
	x, y, z := spread.Version()
	if a != x || b != y || c != z {
		t.Errorf("daemon speaks %d.%d.%d, the client %d.%d.%d", a, b, c, x, y, z)
	}
}
