// Package daemon is an embedded, pure-Go, single-node Spread 4.4 daemon.
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
package daemon
