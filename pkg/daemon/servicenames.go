package daemon

import "github.com/spgo/spgo/internal/wire"

// ServiceNames names the slots of Status.Services, weakest first:
// "unreliable", "reliable", "fifo", "causal", "agreed", "safe" (the short
// names of the client's service types).
func ServiceNames() []string {
	return []string{"unreliable", "reliable", "fifo", "causal", "agreed", "safe"}
}

// ProtocolVersion is the version of the Spread protocol the daemon speaks
// (4.4.0), which it reports wherever a real daemon reports its own.
func ProtocolVersion() (major, minor, patch int) {
	return wire.VersionMajor, wire.VersionMinor, wire.VersionPatch
}
