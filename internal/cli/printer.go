package cli

import (
	"io"
	"strings"
	"sync"

	"github.com/spgo/spgo/internal/cli/iostreams"
)

// printer writes events in the chosen format, one write per event so each
// reaches a pipe at once. It is safe for concurrent use.
type printer struct {
	mu        sync.Mutex
	out       io.Writer
	format    string // OutputText or OutputJSON
	raw       bool
	delimiter string
	cs        *iostreams.ColorScheme
	block     bool           // multi-line membership (interactive shell)
	tmpl      *eventTemplate // --format, nil for none
	untrusted bool           // sanitize template output (stdout is a terminal)
}

func newPrinter(ios *iostreams.IOStreams, format string, raw bool, delimiter string) *printer {
	return &printer{out: ios.Out, format: format, raw: raw, delimiter: delimiter, cs: ios.ColorScheme()}
}

// print writes e; membership events only when withMembership. Raw output
// has no room for membership, so it prints data payloads only.
func (p *printer) print(e *event, withMembership bool) error {
	if e.Kind == KindMembership && (!withMembership || p.raw) {
		return nil
	}
	var b []byte
	switch {
	case p.raw:
		if e.Kind != KindMessage {
			return nil
		}
		b = append(append(b, e.Data...), p.delimiter...)
	case p.tmpl != nil:
		out, err := p.tmpl.render(e)
		if err != nil {
			return err
		}
		if p.untrusted {
			out = []byte(iostreams.Sanitize(strings.TrimSuffix(string(out), "\n")) + "\n")
		}
		b = out
	case p.format == OutputJSON:
		j, err := e.MarshalJSON()
		if err != nil {
			return err
		}
		b = append(j, '\n')
	case p.block:
		b = []byte(e.textBlock(p.cs) + "\n")
	default:
		b = []byte(e.textLine(p.cs) + "\n")
		if ts := e.timestamp(); ts != "" {
			b = append([]byte(ts+" "), b...)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := p.out.Write(b)
	return err
}
