package daemonhttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/spgo/spgo/pkg/daemon"
)

// Options configure a Server.
type Options struct {
	// Nodes returns the daemons to report: one, or a ring's nodes.
	Nodes func() []*daemon.Daemon
	// Version is spgo's build, for /status and spgo_build_info.
	Version string
	// Logger gets the server's own errors; nil discards them.
	Logger *slog.Logger
	// Now is the clock (uptime); nil means time.Now.
	Now func() time.Time
}

// Server serves /healthz, /metrics and /status.
type Server struct {
	opts     Options
	stopping atomic.Bool
	mux      *http.ServeMux
	srv      *http.Server
	done     chan struct{}
}

// New builds the handlers; Serve or Handler puts them to use.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, mux: http.NewServeMux()}
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		&collector{nodes: opts.Nodes, now: opts.Now},
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: namespace, Name: "build_info", Help: "spgo's build; the value is 1.",
			ConstLabels: prometheus.Labels{"version": opts.Version},
		}, func() float64 { return 1 }),
	)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slogErrorLog{opts.Logger}}))
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /status", s.status)
	s.mux.HandleFunc("GET /{$}", s.index)
	return s
}

// Handler is the server's routes, for tests or another server.
func (s *Server) Handler() http.Handler { return s.mux }

// SetStopping makes /healthz answer 503: the daemon is shutting down.
func (s *Server) SetStopping() { s.stopping.Store(true) }

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.stopping.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "stopping")
		return
	}
	fmt.Fprintln(w, "ok")
}

// Report takes the /status snapshot.
func (s *Server) Report() StatusReport {
	now := s.opts.Now()
	r := StatusReport{Version: s.opts.Version, Time: now, Nodes: []NodeStatus{}}
	for _, d := range s.opts.Nodes() {
		r.Nodes = append(r.Nodes, nodeStatus(d.Status(), now))
	}
	return r
}

func (s *Server) status(w http.ResponseWriter, _ *http.Request) {
	b, err := json.MarshalIndent(s.Report(), "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(b, '\n'))
}

func (s *Server) index(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "spgo daemon: /healthz /metrics /status")
}

// ListenAddr turns --http's ADDR into a listen address: a bare port or
// ":PORT" is loopback (127.0.0.1); only an explicit host listens elsewhere.
func ListenAddr(addr string) (string, error) {
	if _, err := strconv.ParseUint(addr, 10, 16); err == nil {
		return net.JoinHostPort("127.0.0.1", addr), nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("HTTP address %q: want HOST:PORT, :PORT or PORT", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", fmt.Errorf("HTTP address %q: port %q is not a number 0..65535", addr, port)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// ErrAddress is wrapped by Listen's error for an address that cannot be
// used (bad syntax, in use, not this machine's).
var ErrAddress = errors.New("cannot listen")

// Listen opens a listener by ListenAddr's rules, so that a port in use is
// known before the daemon starts; Serve serves on it.
func Listen(addr string) (net.Listener, error) {
	a, err := ListenAddr(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrAddress, err)
	}
	ln, err := net.Listen("tcp", a)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil {
			err = op.Err
		}
		return nil, fmt.Errorf("%w on HTTP address %s: %v", ErrAddress, a, err)
	}
	return ln, nil
}

// Serve serves on ln in the background until Close.
func (s *Server) Serve(ln net.Listener) {
	s.srv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 5 * time.Second}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.opts.Logger.Error("http server", "err", err.Error())
		}
	}()
}

// Close stops serving (requests in progress are cut) and closes the
// listener; it does nothing before Serve.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	<-s.done
	return err
}

// slogErrorLog adapts promhttp's error log to slog.
type slogErrorLog struct{ l *slog.Logger }

func (e slogErrorLog) Println(v ...any) { e.l.Error("metrics", "err", fmt.Sprint(v...)) }
