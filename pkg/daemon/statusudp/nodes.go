package statusudp

import (
	"errors"
	"log/slog"

	"github.com/spgo/spgo/pkg/daemon"
)

// Group is the responders of several nodes, each answering on UDP at its
// node's own TCP address and port, as a real daemon does.
type Group struct {
	rs     []*Responder
	logger *slog.Logger
}

// ServeNodes makes every node answer the status query (Serve) at its TCP
// address and port; ring returns every node of their ring (nil: each node
// alone). A node without a TCP address cannot be reached there and is
// skipped with a line in the log. When a socket cannot be opened nothing
// is left open and the error is Listen's.
func ServeNodes(nodes []*daemon.Daemon, ring func() []*daemon.Daemon, logger *slog.Logger) (*Group, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	g := &Group{logger: logger}
	for _, d := range nodes {
		addr := d.TCPAddr()
		if addr == nil {
			logger.Info("no monitor status on UDP: the daemon has no TCP address", "name", d.Name())
			continue
		}
		c, err := Listen(addr.String())
		if err != nil {
			g.Close()
			return nil, err
		}
		g.rs = append(g.rs, Serve(c, Options{Node: d, Ring: ring, Logger: logger.With("name", d.Name())}))
		logger.Info("answering monitor status queries", "name", d.Name(), "udp", c.LocalAddr().String())
	}
	return g, nil
}

// Responders are the group's responders, one per node served, in the
// order of the nodes.
func (g *Group) Responders() []*Responder { return append([]*Responder(nil), g.rs...) }

// Close stops every responder. It usually runs deferred at shutdown, where
// no caller can act on an error, so each failure is also logged with the
// socket it concerns.
func (g *Group) Close() error {
	var errs []error
	for _, r := range g.rs {
		if err := r.Close(); err != nil {
			g.logger.Warn("closing the monitor status socket", "udp", r.Addr().String(), "err", err.Error())
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
