package cli

import (
	"fmt"
	"log/slog"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
)

// startMonitorUDP makes every node answer Spread's monitor status query
// (`spgo daemon`, unless --no-monitor); a port in use is a usage error,
// with nothing left open.
func startMonitorUDP(nodes []*daemon.Daemon, ring func() []*daemon.Daemon, logger *slog.Logger) (*statusudp.Group, error) {
	g, err := statusudp.ServeNodes(nodes, ring, logger)
	if err != nil {
		return nil, invalidValue(fmt.Errorf("%w (--no-monitor to go without)", err))
	}
	return g, nil
}
