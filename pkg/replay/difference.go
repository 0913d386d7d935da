package replay

import (
	"fmt"
	"strings"

	"github.com/spgo/spgo/pkg/tap"
)

// Difference is the first place where what was played differs from the
// recording. Want is what the recording has at Line, Got what came
// instead; either is nil when it is a close (or, for Got, nothing).
type Difference struct {
	Recording string // the recording's file name
	Line      int    // line of the recorded event, 0 after the recording's end
	Conn      string // the connection's label
	Dir       tap.Direction
	Want, Got *tap.Frame
	Why       string // what differs, in words
}

func (d *Difference) Error() string {
	return fmt.Sprintf("replay: %s line %d: connection %s: %s", d.Recording, d.Line, d.Conn, d.Why)
}

// Detail describes both frames, one line each, for a report.
func (d *Difference) Detail() string {
	var b strings.Builder
	fmt.Fprintf(&b, "want: %s\n", frameText(d.Want))
	fmt.Fprintf(&b, " got: %s", frameText(d.Got))
	return b.String()
}

func frameText(f *tap.Frame) string {
	if f == nil {
		return "(nothing)"
	}
	if f.Kind == tap.KindClose {
		return f.Summary()
	}
	raw, more := f.Raw, ""
	if len(raw) > shownBytes {
		raw, more = raw[:shownBytes], fmt.Sprintf(" ... %d bytes", len(f.Raw))
	}
	return fmt.Sprintf("%s %s [% x%s]", f.Dir, f.Summary(), raw, more)
}

// shownBytes is how many of a frame's bytes Detail shows.
const shownBytes = 64

// decodeUnit decodes one recorded unit as the frame it is in its
// connection, replaying the connection's earlier units through conv.
func decodeUnit(conv *tap.Conversation, dir tap.Direction, unit []byte) *tap.Frame {
	frames := conv.Feed(dir, unit, zeroTime)
	if len(frames) == 1 && frames[0].Size == len(unit) {
		return &frames[0]
	}
	return &tap.Frame{Dir: dir, Kind: tap.KindOther, Size: len(unit), Raw: unit, Error: "not one frame"}
}
