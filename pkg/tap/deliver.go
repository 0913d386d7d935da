package tap

import (
	"time"

	"github.com/spgo/spgo/internal/capture"
)

// deliver records frames and hands the selected ones to OnFrame, under
// one lock so that both see one order.
func (t *Tap) deliver(r *relay, frames []Frame) {
	if len(frames) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range frames {
		f := &frames[i]
		if f.Time.IsZero() {
			f.Conn, f.Time, f.Session = r.id, time.Now(), r.conv.Session()
		}
		if t.rec != nil {
			t.record(f)
		}
		if t.cfg.OnFrame != nil && t.filter.frame(f) {
			t.cfg.OnFrame(*f)
		}
	}
}

// record writes f to the recording: a unit, an open or a close. A close
// by the tap is, to the client, the daemon's.
func (t *Tap) record(f *Frame) {
	label := capture.Label(f.Conn)
	switch f.Kind {
	case KindOpen:
		t.rec.Open(label)
	case KindClose:
		by := f.By
		if by == "T" || f.Error != "" {
			t.rec.Comment(label + " " + f.Summary())
			by = "D"
		}
		t.rec.Close(label, by)
		_ = t.rec.Flush()
	default:
		t.rec.Comment(label + " " + string(f.Dir) + " " + f.Summary())
		t.rec.Unit(label, string(f.Dir), f.Raw)
	}
}
