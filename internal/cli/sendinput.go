package cli

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/spgo/spgo/pkg/spread"
	"io"
	"os"
)

// sendInput yields the messages `spgo send` sends, one at a time, so that
// --lines streams its input (`tail -f log | spgo send --lines chat` sends
// each line as it comes) and no input is read past what one message may
// hold: `spgo send chat < /dev/zero` fails at the limit instead of filling
// memory.
type sendInput struct {
	next   func() ([]byte, error) // io.EOF when no message is left
	source string                 // "standard input", "--file PATH"
	close  func() error
}

// openSendInput opens the message source: -m, --file or standard input
// (never read when -m or --file is given), for messages to groups groups.
func openSendInput(opts *SendOptions, groups int) (*sendInput, error) {
	in := &sendInput{close: func() error { return nil }}
	var r io.Reader
	switch {
	case opts.MessageSet:
		if !opts.Lines {
			if err := checkMessageSize(len(opts.Message), groups); err != nil {
				return nil, err // the size is known: name it exactly
			}
		}
		r, in.source = bytes.NewReader([]byte(opts.Message)), "-m"
	case opts.File != "":
		f, err := os.Open(opts.File)
		if err != nil {
			return nil, err
		}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && !opts.Lines {
			if err := checkMessageSize(int(min(st.Size(), 1<<40)), groups); err != nil {
				f.Close()
				return nil, err
			}
		}
		r, in.source, in.close = f, "--file "+opts.File, f.Close
	default:
		if opts.Factory.IOStreams.IsStdinTTY() {
			fmt.Fprintln(opts.Factory.IOStreams.ErrOut, "reading the message from the terminal; end it with Ctrl-D (or give -m MESSAGE)")
		}
		r, in.source = opts.Factory.IOStreams.In, "standard input"
	}
	if opts.Lines {
		in.next = boundedLines(r, groups, in.source)
	} else {
		in.next = wholeMessage(r, groups, in.source)
	}
	return in, nil
}

// wholeMessage yields all of r as one message to groups groups, reading at
// most one byte past the limit.
func wholeMessage(r io.Reader, groups int, source string) func() ([]byte, error) {
	limit := spread.MaxData(groups)
	done := false
	return func() ([]byte, error) {
		if done {
			return nil, io.EOF
		}
		done = true
		b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", source, err)
		}
		if len(b) > limit {
			return nil, messageTooLong(limit, groups, true)
		}
		return b, nil
	}
}

// boundedLines yields each line of r (without "\n" or "\r\n") as a message
// to groups groups; a line over the limit is an error naming it.
func boundedLines(r io.Reader, groups int, source string) func() ([]byte, error) {
	limit := spread.MaxData(groups)
	br := bufio.NewReaderSize(r, max(limit+2, 16)) // room for the line and "\r\n"
	n := 0
	tooLong := func() error { return fmt.Errorf("line %d of %s: %w", n, source, messageTooLong(limit, groups, true)) }
	return func() ([]byte, error) {
		line, err := br.ReadSlice('\n')
		n++
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			return nil, tooLong()
		case err == io.EOF && len(line) == 0:
			return nil, io.EOF
		case err != nil && err != io.EOF:
			return nil, fmt.Errorf("reading %s: %w", source, err)
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
		if len(line) > limit {
			return nil, tooLong()
		}
		return bytes.Clone(line), nil
	}
}
