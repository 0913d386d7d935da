package tap

import (
	"github.com/spgo/spgo/internal/capture"
)

// deliver records f and hands it to OnFrameView and OnFrame if the
// filters select it, under one lock so that all see one order, and reports
// whether they did. f is a view: OnFrame gets a clone.
func (t *Tap) deliver(r *relay, f *Frame) bool {
	selected := t.filter.frame(f)
	shown := selected && (t.cfg.OnFrame != nil || t.cfg.OnFrameView != nil)
	if t.rec == nil && !shown {
		return selected
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rec != nil {
		t.record(f)
	}
	if shown && t.cfg.OnFrameView != nil {
		t.cfg.OnFrameView(f)
	}
	if shown && t.cfg.OnFrame != nil {
		t.cfg.OnFrame(f.Clone())
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
