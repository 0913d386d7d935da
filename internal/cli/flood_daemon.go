package cli

import (
	"fmt"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/embedded"
	"github.com/spgo/spgo/pkg/flood/report"
	"github.com/spgo/spgo/pkg/spread"
)

// floodDaemons sets up the daemons a flood runs against: the in-process
// ring of --nodes, the embedded daemon of --embedded, or the daemon named
// by -s. It points cfg at them and places the sessions, and returns the
// environment the banner and JSON describe, the placement the results are
// relabelled with, and a function that stops whatever it started.
func floodDaemons(o *FloodOptions, cfg *flood.Config) (env report.Env, pl flood.Placement, stop func(), err error) {
	stop = func() {}
	kind, transport := "external", transportOf(o.Conn.Server)
	pl = flood.Placement{Senders: o.SendersAt, Receivers: o.ReceiversAt}
	switch {
	case o.Nodes > 0:
		ring, err := embedded.StartRing(o.ringPlan())
		if err != nil {
			return env, pl, nil, err
		}
		stop, pl, cfg.Daemon, kind, transport = ring.Close, ring.Placement, ring.Placement.Senders[0], ring.Kind(), "tcp"
		cfg.Progress = ring.FaultHalfway(func(err error) {
			fmt.Fprintf(o.Factory.IOStreams.ErrOut, "spgo flood: %s: %v\n", o.faultFlag(), err)
		})
	case o.Embedded:
		d, err := embedded.StartDaemon(o.Transport == "unix")
		if err != nil {
			return env, pl, nil, err
		}
		stop, cfg.Daemon, kind, transport = d.Close, d.Name, "embedded spgo daemon", o.Transport
		cfg.Options = append(cfg.Options, d.Options...)
	}
	env = report.HostEnv(cfg.Daemon, kind, transport)
	if len(pl.Senders) > 0 || len(pl.Receivers) > 0 {
		if len(pl.Senders) == 0 {
			pl.Senders = []string{cfg.Daemon}
		}
		if len(pl.Receivers) == 0 {
			pl.Receivers = []string{cfg.Daemon}
		}
		cfg.SenderDaemons, cfg.ReceiverDaemons = pl.Senders, pl.Receivers
		env.Placement = pl.Describe()
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
