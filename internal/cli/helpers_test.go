package cli

import (
	"io"
	"time"
)

// newPipe gives a reader for stdin and a writer the test feeds.
func newPipe() (*io.PipeReader, *pipeWriter) {
	r, w := io.Pipe()
	return r, &pipeWriter{w}
}

type pipeWriter struct{ *io.PipeWriter }

func (p *pipeWriter) WriteString(s string) { go p.PipeWriter.Write([]byte(s)) }

// pollUntil reports whether cond holds, looking again until it does or
// limit passes. It is only for state that no event announces: a file
// another process writes (a --ready-file, redirected output: no file
// system notification is portable) or a terminal's mode. Everything else
// waits on a channel. The pause between looks grows, so a slow wait does
// not busy the machine.
func pollUntil(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	pause := 100 * time.Microsecond
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(pause)
		pause = min(2*pause, 10*time.Millisecond)
	}
	return true
}
