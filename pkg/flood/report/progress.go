package report

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/spgo/spgo/pkg/flood"
)

// Progress draws one progress bar per service type on w, fed by
// flood.Config.Progress, with the delivery rate since the bar appeared
// (the bar library's own rate counts from its creation, and the first
// update already carries a backlog). Whether w is a terminal worth
// drawing on is the caller's choice.
type Progress struct {
	w      io.Writer
	bar    *progressbar.ProgressBar
	index  int
	max    int64
	since  time.Time
	from   int64
	lastAt time.Time
}

// NewProgress returns a Progress that draws on w.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w, index: -1} }

// Update shows pr, starting a new bar when a new service type begins.
func (p *Progress) Update(pr flood.Progress) {
	now := time.Now()
	if p.bar == nil || pr.Index != p.index || pr.Expected != p.max {
		p.Finish()
		p.index, p.max, p.since, p.from = pr.Index, pr.Expected, now, pr.Delivered
		p.bar = progressbar.NewOptions64(pr.Expected,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("%-10s", pr.Service)),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30))
	}
	if dt := now.Sub(p.since); dt > 50*time.Millisecond && now.Sub(p.lastAt) > 200*time.Millisecond {
		p.lastAt = now
		rate := float64(pr.Delivered-p.from) / dt.Seconds()
		p.bar.Describe(fmt.Sprintf("%-10s %9.0f msg/s", pr.Service, rate))
	}
	_ = p.bar.Set64(pr.Delivered)
}

// Finish clears the bar; call it before writing the results.
func (p *Progress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
		p.bar = nil
	}
}
