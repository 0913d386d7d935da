package tap

import (
	"github.com/spgo/spgo/internal/capture"
)

// deliver records f and hands it to OnFrame if the filters select it,
// under one lock so that both see one order, and reports whether they did.
func (t *Tap) deliver(r *relay, f *Frame) bool {
	selected := t.filter.frame(f)
	if t.rec == nil && (t.cfg.OnFrame == nil || !selected) {
		return selected
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rec != nil {
		t.record(f)
	}
	if t.cfg.OnFrame != nil && selected {
		t.cfg.OnFrame(*f)
	}
	return selected
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
