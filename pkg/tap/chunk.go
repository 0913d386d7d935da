package tap

import (
	"sync"
	"sync/atomic"
)

// chunkSize is the most a pump reads at once. A pump holds a chunk only
// while bytes are there to read (chunkReader), so it may be large: a
// flood through the tap to spgo's daemon ran 1.1-1.2x faster with 256 KiB
// than with 64 KiB, which took one system call per 64 KiB of a backlog.
const chunkSize = 256 << 10

// chunkBuf is a buffer a pump reads into. It is reused once both its
// users, forwarding and decoding, release it: decoding keeps no byte of a
// chunk (a frame a callback keeps is a clone).
type chunkBuf struct {
	b     []byte
	users atomic.Int32
}

// chunks are the buffers not in use.
var chunks = sync.Pool{New: func() any { return &chunkBuf{b: make([]byte, chunkSize)} }}

// getChunk returns a buffer with one user.
func getChunk() *chunkBuf {
	c := chunks.Get().(*chunkBuf)
	c.users.Store(1)
	return c
}

// release ends one user's use of c; the last one puts it back.
func (c *chunkBuf) release() {
	if c.users.Add(-1) == 0 {
		chunks.Put(c)
	}
}
