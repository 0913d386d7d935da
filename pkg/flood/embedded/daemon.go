package embedded

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spgo/spgo/pkg/daemon"
	"github.com/spgo/spgo/pkg/spread"
)

// Daemon is one daemon started in this process for a flood.
type Daemon struct {
	// Name is the daemon name to flood: PORT@127.0.0.1 over TCP, or the
	// bare PORT of its unix socket.
	Name string
	// Options are what the flood's sessions need to reach it (the socket
	// directory of a unix socket); flood.Config.Options takes them.
	Options []spread.Option

	d   *daemon.Daemon
	dir string // the unix socket's private directory, removed on Close
}

// StartDaemon starts a daemon on a free port, reached over TCP or, with
// unix set, over a unix socket in a private directory.
func StartDaemon(unix bool) (*Daemon, error) {
	cfg := daemon.Config{Name: "flood", Port: 0, NoUnixSocket: !unix, NoTCP: unix}
	e := &Daemon{}
	if unix {
		dir, err := os.MkdirTemp("", "spgo-flood-")
		if err != nil {
			return nil, fmt.Errorf("starting the embedded daemon: %w", err)
		}
		e.dir, cfg.SocketDir = dir, dir
		e.Options = []spread.Option{spread.WithSocketDir(dir)}
	}
	d, err := daemon.Start(cfg)
	if err != nil {
		e.removeDir()
		return nil, fmt.Errorf("starting the embedded daemon: %w", err)
	}
	e.d, e.Name = d, d.SpreadName()
	if unix {
		e.Name = filepath.Base(d.UnixPath())
	}
	return e, nil
}

// Close stops the daemon and removes what it made.
func (e *Daemon) Close() {
	e.d.Close()
	e.removeDir()
}

func (e *Daemon) removeDir() {
	if e.dir != "" {
		os.RemoveAll(e.dir)
	}
}
