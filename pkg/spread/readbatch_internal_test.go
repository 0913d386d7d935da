package spread

import (
	"slices"
	"testing"
	"time"
)

// The waker lowers the mark only for a read still under way when its wait
// ends, and that read's return puts the mark back.
func TestBatchWakerLowersOnlyAWaitingRead(t *testing.T) {
	var marks []int
	b := &batchWaker{lowMark: func(n int) error { marks = append(marks, n); return nil }, bytes: 4096, wait: time.Hour}
	b.timer = time.AfterFunc(time.Hour, func() {})
	b.timer.Stop()

	b.expire() // no read under way
	b.start()
	b.done() // a read that came back in time
	if len(marks) != 0 {
		t.Fatalf("marks set without a late read: %v", marks)
	}
	b.start()
	b.expire()
	b.expire() // a second expiry changes nothing
	b.done()
	if want := []int{1, 4096}; !slices.Equal(marks, want) {
		t.Fatalf("marks set around a late read: %v, want %v", marks, want)
	}
}
