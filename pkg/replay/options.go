package replay

import (
	"errors"
	"time"
)

// DefaultPause is Options.Pause when none is given.
const DefaultPause = 20 * time.Millisecond

// Options tune a replay.
type Options struct {
	// Daemon is the daemon Client plays against, named as Spread names
	// daemons ("4803", "4803@host").
	Daemon string
	// Timeout bounds every wait for one expected unit, open or close;
	// 0 waits as long as the context allows.
	Timeout time.Duration
	// Pause follows every write of Client's, so the daemon has acted on
	// a request before the next, as during the recording (0:
	// DefaultPause; negative: none).
	Pause time.Duration
}

func (o *Options) pause() time.Duration {
	switch {
	case o.Pause == 0:
		return DefaultPause
	case o.Pause < 0:
		return 0
	}
	return o.Pause
}

// deadline is when a wait that starts now gives up (zero: never).
func (o *Options) deadline() time.Time {
	if o.Timeout <= 0 {
		return time.Time{}
	}
	return time.Now().Add(o.Timeout)
}

// Result counts what a replay did.
type Result struct {
	Conns    int // connections opened
	Sent     int // units written
	Compared int // recorded units and closes compared with what came
}

// ErrDial is wrapped by Client's error when the daemon cannot be reached.
var ErrDial = errors.New("replay: cannot reach the daemon")

// zeroTime stamps decoded recorded units, which have no time.
var zeroTime time.Time
