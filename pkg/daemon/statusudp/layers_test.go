package statusudp_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The daemon's faces meet clients only on the wire: neither the status
// responder nor the HTTP face may depend on the client package or on the
// monitor's asking side, even through another package.
func TestDaemonFacesDoNotDependOnTheClientSide(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".", "../daemonhttp").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "github.com/spgo/spgo/pkg/spread", "github.com/spgo/spgo/pkg/spreadmon":
			t.Errorf("pkg/daemon/statusudp or daemonhttp depends on %s", dep)
		}
	}
}
