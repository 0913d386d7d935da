// Package daemon is an embedded, pure-Go Spread 4.4 daemon: a single node
// (Start), or a ring of named nodes in one process (StartRing).
//
// Real Spread clients (libspread 4.4, spuser, spflooder, the Python module)
// and pkg/spread talk to it exactly as to the real daemon: the same
// listeners (TCP <port> and the Unix socket /tmp/<port>), the same handshake,
// the same frames byte for byte (testdata/captures replay against it). The
// protocol is described in docs/protocol.md; section numbers in comments
// refer to it. Where the real daemon crashes, drops messages or keeps resources
// forever, this one does the safe thing; every such difference is listed in
// docs/daemon-differences.md with the test that shows it.
//
// Design: one reader goroutine per session parses many frames per read and
// hands them to the sequencer, a single mutex that puts every message, join,
// leave and disconnect of every session into one total order. The sequencer
// appends each outgoing frame to the recipients' outbound buffers and wakes
// their writer goroutines, which write everything pending with one call.
//
// A Ring is a test double of a multi-daemon Spread ring, not a distributed
// daemon: one process, one sequencer, no protocol between the nodes. Each
// node is a separate daemon to its clients (its own name d1..dN, its own
// TCP listener on 127.0.0.K, its own Unix socket, private groups #user#dK),
// groups span the nodes, and AGREED and SAFE messages have one order over
// all of them. Crash, Partition, Heal, Restart, Freeze and Thaw give the
// clients what a real ring of that many daemons gives them: the
// TRANSITION_MESS, the CAUSED_BY_NETWORK views with their group ids and
// virtual-synchrony sets, and no message across a partition; at once, or
// as late as a real ring tells them (RingConfig.Timing, Ring.Settled).
// Users who need several machines run real Spread; pkg/spread talks to it.
//
// The faces a running daemon or ring shows besides Spread's own are
// packages of their own: ringctl (a ring's control socket, which
// `spgo daemon ctl` drives), daemonhttp (/healthz, /metrics, /status) and
// statusudp (answers to spmonitor's status query).
//
// A daemon started here answers no monitor query by itself: spmonitor,
// `spgo monitor` and pkg/spreadmon get no answer until statusudp.Serve
// runs for it (spreadtest.ServeStatus in a test). Config has no switch for
// it because statusudp builds on this package, not the other way round.
package daemon
