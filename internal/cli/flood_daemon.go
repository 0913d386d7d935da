package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/report"
	"github.com/spgo/spgo/pkg/spread"
)

// floodDaemons sets up the daemons a flood runs against: the in-process
// ring of --nodes, the embedded daemon of --embedded, or the daemon named
// by -s. It points cfg at them and places the sessions, and returns the
// environment the banner and JSON describe, the placement the results are
// relabelled with, and a function that stops whatever it started.
func floodDaemons(o *FloodOptions, cfg *flood.Config) (env report.Env, pl placement, stop func(), err error) {
	stop = func() {}
	kind, transport := "external", transportOf(o.Conn.Server)
	pl = placement{senders: o.SendersAt, receivers: o.ReceiversAt}
	if o.Nodes > 0 {
		ring, p, derr := startEmbeddedRing(o)
		if derr != nil {
			return env, pl, nil, derr
		}
		stop = func() { ring.Close() }
		pl, cfg.Daemon, transport = p, p.senders[0], "tcp"
		kind = fmt.Sprintf("embedded spgo ring of %d nodes", o.Nodes)
		if o.Crash != "" {
			cfg.Progress = crashHalfway(ring, o.Crash, o.Factory.IOStreams.ErrOut)
			kind += ", " + o.Crash + " crashes halfway"
		}
	} else if o.Embedded {
		stopDaemon, name, opt, derr := startEmbedded(o.Transport)
		if derr != nil {
			return env, pl, nil, derr
		}
		stop = stopDaemon
		cfg.Daemon, kind, transport = name, "embedded spgo daemon", o.Transport
		cfg.Options = append(cfg.Options, opt...)
	}
	env = report.HostEnv(cfg.Daemon, kind, transport)
	if len(pl.senders) > 0 || len(pl.receivers) > 0 {
		if len(pl.senders) == 0 {
			pl.senders = []string{cfg.Daemon}
		}
		if len(pl.receivers) == 0 {
			pl.receivers = []string{cfg.Daemon}
		}
		cfg.SenderDaemons, cfg.ReceiverDaemons = pl.senders, pl.receivers
		env.Placement = pl.describe()
	}
	return env, pl, stop, nil
}

// transportOf names how a client reaches the daemon name server: "unix"
// for a bare port (the Unix socket), else "tcp".
func transportOf(server string) string {
	if net, _, err := spread.ParseDaemonName(server); err == nil && net == "unix" {
		return "unix"
	}
	return "tcp"
}

// startEmbedded starts the in-process daemon for --embedded on a free port
// over tcp, or over a unix socket in a private directory.
// It returns a function that stops the daemon and removes what it made.
func startEmbedded(transport string) (stop func(), name string, opts []spread.Option, err error) {
	cfg := daemon.Config{Name: "flood", Port: 0}
	dir := ""
	if transport == "unix" {
		if dir, err = os.MkdirTemp("", "spgo-flood-"); err != nil {
			return nil, "", nil, fmt.Errorf("starting the embedded daemon: %w", err)
		}
		cfg.NoTCP, cfg.SocketDir = true, dir
		opts = append(opts, spread.WithSocketDir(dir))
	} else {
		cfg.NoUnixSocket = true
	}
	d, err := daemon.Start(cfg)
	if err != nil {
		if dir != "" {
			os.RemoveAll(dir)
		}
		return nil, "", nil, fmt.Errorf("starting the embedded daemon: %w", err)
	}
	stop = func() {
		d.Close()
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	if transport == "unix" {
		return stop, filepath.Base(d.UnixPath()), opts, nil
	}
	return stop, d.SpreadName(), opts, nil
}
