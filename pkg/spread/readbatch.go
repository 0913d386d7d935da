package spread

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// ReadBatch asks the kernel to wake a Receive waiting on an empty mailbox
// only once Bytes are waiting on the socket, or once it has waited Wait,
// whichever comes first. Under a steady stream the reader then wakes once
// per Bytes instead of once per few messages, and the daemon, whose sends
// pay for waking it, keeps more of its time for ordering: a throughput
// benchmark measures the daemon, not the client's wake-ups. A message
// alone on a quiet connection waits at most Wait more. The zero value
// turns batching off (every byte wakes the reader, the default).
type ReadBatch struct {
	Bytes int
	Wait  time.Duration
}

// ErrReadBatchUnsupported is returned by SetReadBatch for a connection
// whose kernel cannot batch its wake-ups: only TCP on Linux can (a Unix
// socket wakes its reader on every write whatever the low mark says).
var ErrReadBatchUnsupported = errors.New("spread: read batching needs a TCP connection on Linux")

// SetReadBatch sets how the mailbox's reader is woken (see ReadBatch). It
// may be called at any time, also while another goroutine is in Receive;
// the next read follows it.
func (m *Mailbox) SetReadBatch(b ReadBatch) error {
	if b.Bytes < 0 || b.Wait < 0 || (b.Bytes > 0) != (b.Wait > 0) {
		return fmt.Errorf("spread: read batch of %d bytes within %v: bytes and wait must both be positive, or both zero", b.Bytes, b.Wait)
	}
	lowMark, err := lowMarkSetter(m.conn)
	if b.Bytes == 0 {
		m.batch.Store(nil)
		if err != nil {
			return nil // never batched
		}
		return lowMark(1)
	}
	if err != nil {
		return err
	}
	if err := lowMark(b.Bytes); err != nil {
		return err
	}
	bw := &batchWaker{lowMark: lowMark, bytes: b.Bytes, wait: b.Wait}
	bw.timer = time.AfterFunc(time.Hour, bw.expire)
	bw.timer.Stop()
	m.batch.Store(bw)
	return nil
}

// batchWaker bounds a batched read's wait: when a read has waited its
// Wait, the low mark drops to one byte, which wakes the reader if anything
// is waiting (and at the first byte otherwise); the read that returns puts
// the mark back.
type batchWaker struct {
	lowMark func(int) error
	bytes   int
	wait    time.Duration
	timer   *time.Timer

	mu      sync.Mutex
	reading bool // a read is under way
	lowered bool // the mark is one byte until that read returns
}

// start is called before each read of the socket, done after it.
func (b *batchWaker) start() {
	b.mu.Lock()
	b.reading = true
	b.mu.Unlock()
	b.timer.Reset(b.wait)
}

func (b *batchWaker) done() {
	b.timer.Stop()
	b.mu.Lock()
	b.reading = false
	if b.lowered {
		b.lowered = false
		_ = b.lowMark(b.bytes)
	}
	b.mu.Unlock()
}

func (b *batchWaker) expire() {
	b.mu.Lock()
	if b.reading && !b.lowered {
		b.lowered = true
		_ = b.lowMark(1)
	}
	b.mu.Unlock()
}
