package flood

import (
	"cmp"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// DefaultReadBatch is the most bytes a receiver lets wait before it is
// woken, unless Config.ReadBatch says otherwise: 32 KiB takes a real
// daemon's wake-up cost off most of its sends (at 1000 bytes, one wake-up
// per 30 messages instead of one per few).
const DefaultReadBatch = 32 << 10

// readBatchWait is the longest a batched read waits for its bytes: the
// end of a run, or a membership message alone, is late by no more.
const readBatchWait = time.Millisecond

// readBatch is what the receivers of this run batch, the zero ReadBatch
// when they should not. It stays below a quarter of what the senders'
// windows let be in flight to one receiver, so a batch fills long before
// the senders stop for it.
func (c Config) readBatch() spread.ReadBatch {
	if c.ReadBatch < 0 || c.Mode != ModeLocal || c.Rate > 0 || c.RTTEvery > 0 {
		return spread.ReadBatch{}
	}
	frame := spread.FrameSize(1, c.Size)
	n := cmp.Or(c.ReadBatch, DefaultReadBatch)
	if c.Window > 0 {
		n = min(n, c.Senders*c.Window*frame/4)
	}
	if n < 2*frame {
		return spread.ReadBatch{}
	}
	return spread.ReadBatch{Bytes: n, Wait: readBatchWait}
}

// batchReads applies the run's read batch to every receiver and keeps it
// in f.batched if any took it; a connection that cannot batch (a Unix
// socket) reads as before.
func (f *flood) batchReads() {
	b := f.cfg.readBatch()
	if b.Bytes == 0 {
		return
	}
	for _, r := range f.receivers {
		if r.mb.SetReadBatch(b) == nil {
			f.batched = b.Bytes
		}
	}
}
