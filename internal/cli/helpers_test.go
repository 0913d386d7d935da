package cli

import (
	"io"
	"testing"
	"time"
)

// newPipe gives a reader for stdin and a writer the test feeds.
func newPipe() (*io.PipeReader, *pipeWriter) {
	r, w := io.Pipe()
	return r, &pipeWriter{w}
}

type pipeWriter struct{ *io.PipeWriter }

func (p *pipeWriter) WriteString(s string) { go p.PipeWriter.Write([]byte(s)) }

// waitFor polls cond until it holds; the test fails after 10s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}
