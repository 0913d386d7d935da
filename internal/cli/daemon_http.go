package cli

import (
	"log/slog"
	"net"

	"github.com/spgo/spgo/internal/buildinfo"
	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/daemon/daemonhttp"
)

// daemonHTTP is `spgo daemon --http ADDR`: its listener is opened before
// the daemon starts (a port in use is a usage error at start), and serves
// once the daemon listens.
type daemonHTTP struct {
	ln     net.Listener
	srv    *daemonhttp.Server
	logger *slog.Logger
}

// openDaemonHTTP opens --http's listener; nil, nil without --http.
func openDaemonHTTP(addr string, logger *slog.Logger) (*daemonHTTP, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := daemonhttp.Listen(addr)
	if err != nil {
		return nil, invalidValue(err)
	}
	return &daemonHTTP{ln: ln, logger: logger}, nil
}

// serve starts answering for nodes.
func (h *daemonHTTP) serve(nodes func() []*daemon.Daemon) {
	if h == nil {
		return
	}
	h.srv = daemonhttp.New(daemonhttp.Options{Nodes: nodes, Version: buildinfo.Read().Short(), Logger: h.logger})
	h.srv.Serve(h.ln)
	h.logger.Info("http listening", "addr", h.ln.Addr().String(), "endpoints", "/healthz /metrics /status")
}

// stopping makes /healthz answer 503 while the daemon shuts down.
func (h *daemonHTTP) stopping() {
	if h != nil && h.srv != nil {
		h.srv.SetStopping()
	}
}

// close stops serving; safe on nil and before serve.
func (h *daemonHTTP) close() {
	if h == nil {
		return
	}
	if h.srv != nil {
		h.srv.Close()
		return
	}
	h.ln.Close()
}
