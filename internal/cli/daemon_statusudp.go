package cli

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/statusudp"
)

// monitorUDP answers Spread's monitor status query for every node, each on
// UDP at its own TCP address and port (`spgo daemon`, unless --no-monitor).
type monitorUDP struct {
	rs     []*statusudp.Responder
	logger *slog.Logger
}

// startMonitorUDP binds every node's UDP socket; a port in use is a usage
// error, with nothing left open.
func startMonitorUDP(nodes []*daemon.Daemon, ring func() []*daemon.Daemon, logger *slog.Logger) (*monitorUDP, error) {
	m := &monitorUDP{logger: logger}
	for _, d := range nodes {
		addr := d.TCPAddr()
		if addr == nil {
			logger.Info("no monitor status on UDP: the daemon has no TCP address", "name", d.Name())
			continue
		}
		c, err := statusudp.Listen(addr.String())
		if err != nil {
			m.close()
			return nil, invalidValue(fmt.Errorf("%w (--no-monitor to go without)", err))
		}
		m.rs = append(m.rs, statusudp.Serve(c, statusudp.Options{Node: d, Ring: ring,
			Logger: logger.With("name", d.Name())}))
		logger.Info("answering monitor status queries", "name", d.Name(), "udp", c.LocalAddr().String())
	}
	return m, nil
}

// close stops every responder. It runs deferred at shutdown, where no
// caller can act on an error, so each failure is also logged with the
// socket it concerns.
func (m *monitorUDP) close() error {
	if m == nil {
		return nil
	}
	var errs []error
	for _, r := range m.rs {
		if err := r.Close(); err != nil {
			m.logger.Warn("closing the monitor status socket", "udp", r.Addr().String(), "err", err.Error())
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
