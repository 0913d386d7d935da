package daemon

import "github.com/spgo/spgo/internal/wire"

// The exported defaults spell their values out so that go doc shows them;
// internal/wire holds the one definition. Each line only compiles when the
// two values are equal: a difference in either direction is a negative
// constant, which overflows uint64.
const (
	_ = uint64(DefaultPort-wire.DefaultSpreadPort) + uint64(wire.DefaultSpreadPort-DefaultPort)
	_ = uint64(DefaultMaxSessions-wire.MaxSessions) + uint64(wire.MaxSessions-DefaultMaxSessions)
	_ = uint64(DefaultMaxSessionMessages-wire.DefaultMaxSessionMessage) + uint64(wire.DefaultMaxSessionMessage-DefaultMaxSessionMessages)
	_ = uint64(MaxNameLen-(wire.MaxProcName-1)) + uint64((wire.MaxProcName-1)-MaxNameLen)
)
