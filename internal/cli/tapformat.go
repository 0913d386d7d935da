package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/spgo/spgo/pkg/tap"
)

// tapFormatHelp lists what spgo tap's --format templates can use.
const tapFormatHelp = `Go template over the fields of -o json (conn, session, time, dir, kind, size, hex, by,
name, version, membership, priority, methods, code, private_group, service, type, sender, groups,
msg_type, endian_mismatch, big_endian, preview, cause, group, group_id, members, vs_sets,
local_vs_set, error; absent ones are empty); functions as for listen --format`

// tapFlushEvery is how often printed frames are flushed: the lines reach
// a terminal promptly, and a busy tap makes one write per batch, not per
// frame.
const tapFlushEvery = 50 * time.Millisecond

// framePrinter prints the frames a tap delivers, one line each, buffered
// and flushed every tapFlushEvery (start) and at stop. The first write
// error is kept.
type framePrinter struct {
	w     *bufio.Writer
	json  bool
	done  chan struct{}
	once  sync.Once
	line  []byte // the text line being built
	jbuf  bytes.Buffer
	enc   *json.Encoder // writes to jbuf
	wg    sync.WaitGroup
	tmpl  *template.Template
	mu    sync.Mutex
	first error
	warn  error
}

func newFramePrinter(w io.Writer, output, format string) (*framePrinter, error) {
	p := &framePrinter{w: bufio.NewWriterSize(w, 64<<10), json: output == OutputJSON, done: make(chan struct{})}
	p.enc = json.NewEncoder(&p.jbuf)
	p.enc.SetEscapeHTML(false) // as Frame.MarshalJSON: "C>D", not "C\u003eD"
	if format == "" {
		return p, nil
	}
	t, err := template.New("format").Funcs(templateFuncs).Option("missingkey=error").Parse(format)
	if err != nil {
		return nil, usageErrorf("invalid --format: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	p.tmpl = t
	sample := tap.Frame{Conn: 1, Time: time.Unix(0, 0), Kind: tap.KindData, Dir: tap.ClientToDaemon, Groups: []string{"g"}}
	if _, err := p.render(&sample); err != nil {
		return nil, usageErrorf("invalid --format: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	return p, nil
}

// print prints f, a view valid during the call (tap.Config.OnFrameView).
func (p *framePrinter) print(f *tap.Frame) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// A text line is made in the writer's own buffer: no copy.
	p.line = p.w.AvailableBuffer()
	line, err := p.render(f)
	if err != nil {
		p.warn = err
		return
	}
	if _, err := p.w.Write(line); err != nil && p.first == nil {
		p.first = err
	}
}

// start flushes what was printed every tapFlushEvery until stop.
func (p *framePrinter) start() {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(tapFlushEvery)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				p.flush()
			case <-p.done:
				return
			}
		}
	}()
}

func (p *framePrinter) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.w.Flush(); err != nil && p.first == nil {
		p.first = err
	}
}

// stop ends the flushing, flushes the rest, reports the first write
// error, and warns of a template that failed on some frame.
func (p *framePrinter) stop(errOut io.Writer) error {
	p.once.Do(func() { close(p.done) })
	p.wg.Wait()
	p.flush()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.warn != nil {
		fmt.Fprintf(errOut, "spgo: warning: --format failed on some frames: %v\n", p.warn)
	}
	return p.first
}

// render makes the line of f, in a buffer reused by the next call.
func (p *framePrinter) render(f *tap.Frame) ([]byte, error) {
	switch {
	case p.tmpl != nil:
		var b bytes.Buffer
		if err := p.tmpl.Execute(&b, frameFields(f)); err != nil {
			return nil, err
		}
		b.WriteByte('\n')
		return b.Bytes(), nil
	case p.json:
		p.jbuf.Reset()
		err := p.enc.Encode(f)
		return escapeC1(p.jbuf.Bytes()), err
	}
	p.line = append(f.AppendText(p.line[:0]), '\n')
	return p.line, nil
}

// frameFields is what a --format template sees: the fields of -o json,
// every one present (zero when the frame has none), so a template can
// name any field on any frame.
func frameFields(f *tap.Frame) map[string]any {
	j, _ := json.Marshal(f)
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var fields map[string]any
	_ = d.Decode(&fields)
	fields = plainNumbers(fields).(map[string]any)
	if _, ok := fields["hex"]; !ok {
		fields["hex"] = ""
	}
	rt := reflect.TypeOf(tap.Frame{})
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if _, ok := fields[name]; ok || name == "-" {
			continue
		}
		fields[name] = zeroField(rt.Field(i).Type.Kind())
	}
	return fields
}

// zeroField is the empty value of a field of the given kind, in the types
// JSON decoding gives.
func zeroField(k reflect.Kind) any {
	switch k {
	case reflect.String:
		return ""
	case reflect.Bool:
		return false
	case reflect.Slice:
		return []any{}
	case reflect.Pointer:
		return nil
	}
	return int64(0)
}
