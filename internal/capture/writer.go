package capture

import (
	"bufio"
	"encoding/hex"
	"io"
	"strings"
)

// Writer writes a transcript in the format Read reads
// (testdata/captures/README.md): every unit as plain hex, each optionally
// preceded by '#' lines describing it. Its methods are not safe for
// concurrent use; the first write error is kept and returned by Flush.
type Writer struct {
	w   *bufio.Writer
	hex []byte
	err error
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: bufio.NewWriterSize(w, 64<<10)} }

// Comment writes text as '#' lines, one per line of text.
func (w *Writer) Comment(text string) {
	for _, line := range strings.Split(text, "\n") {
		w.line("# " + line)
	}
}

// Open writes that the client of conn opened its connection.
func (w *Writer) Open(conn string) { w.line(conn + " OPEN") }

// Close writes that conn was closed by "C" (the client) or "D" (the daemon).
func (w *Writer) Close(conn, by string) { w.line(conn + " CLOSE " + by) }

// Unit writes one protocol unit of conn travelling in dir
// (ClientToDaemon or DaemonToClient).
func (w *Writer) Unit(conn, dir string, payload []byte) {
	w.hex = hex.AppendEncode(w.hex[:0], payload)
	w.line(conn + " " + dir + " " + string(w.hex))
}

// Flush writes out what is buffered and returns the first error met.
func (w *Writer) Flush() error {
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.err
}

func (w *Writer) line(s string) {
	if w.err != nil {
		return
	}
	if _, err := w.w.WriteString(s + "\n"); err != nil {
		w.err = err
	}
}

// Label is the connection label of the n-th connection (from 1), as the
// captures name them: A to Z, then AA, AB, ...
func Label(n int) string {
	var b []byte
	for ; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}
