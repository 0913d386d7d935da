// Package spreadmon asks Spread daemons for their status with the status
// query of Spread's monitor protocol (UDP, docs/protocol.md §17), as
// spmonitor does, decodes their answers and checks them. It sends nothing
// else: no partition, flow-control, kill or reload command.
//
// The parts, in the order a health check uses them:
//
//   - Spec says what to ask as spmonitor's command line does (a
//     spread.conf, HOST[:PORT] targets, an identity), or by the daemon
//     names Spread clients use, and resolves it into Targets and the
//     identity to claim (ParseTarget, ParseServers, ConfTargets,
//     ParseIdentity and DefaultIdentity are its steps).
//   - Poller sends the queries and collects one Result per target.
//   - RatesBetween turns two polls into per-second Rates.
//   - LeaderName names a status's leader by its target.
//   - Check applies Checks (the daemons' membership size, their
//     retransmission rate) to a poll and lists each failure as a Problem.
//
// A real 4.4 daemon answers only when the address the monitor claims
// (Poller's identity) is a daemon of its spread.conf, and sends the reply
// to that address: the identity must be an address of this host that the
// daemons' configuration lists.
//
// An embedded spgo daemon (pkg/daemon's Start or StartRing) answers only
// while pkg/daemon/statusudp serves it: `spgo daemon` does unless
// --no-monitor, a Go program calls statusudp.Serve (see the package
// example), a test calls spreadtest.ServeStatus. Without it every poll of
// the daemon ends in ErrNoAnswer.
package spreadmon
