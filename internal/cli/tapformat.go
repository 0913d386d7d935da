package cli

import (
	"bytes"
	"encoding/hex"
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

// tapTimeLayout is the time column of spgo tap's lines.
const tapTimeLayout = "15:04:05.000000"

// tapFormatHelp lists what spgo tap's --format templates can use.
const tapFormatHelp = `Go template over the fields of -o json (conn, session, time, dir, kind, size, hex, by,
name, version, membership, priority, methods, code, private_group, service, type, sender, groups,
msg_type, endian_mismatch, big_endian, preview, cause, group, group_id, members, vs_sets,
local_vs_set, error; absent ones are empty); functions as for listen --format`

// tapJSON is the -o json shape of a frame: its fields and, for frames
// with bytes, the bytes in hex.
type tapJSON struct {
	tap.Frame
	Hex string `json:"hex,omitempty"`
}

// framePrinter prints the frames a tap delivers, one line each. The tap
// calls print one frame at a time; the first write error is kept.
type framePrinter struct {
	w     io.Writer
	json  bool
	tmpl  *template.Template
	mu    sync.Mutex
	first error
	warn  error
}

func newFramePrinter(w io.Writer, output, format string) (*framePrinter, error) {
	p := &framePrinter{w: w, json: output == OutputJSON}
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

func (p *framePrinter) print(f tap.Frame) {
	line, err := p.render(&f)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.warn = err
		return
	}
	if _, err := p.w.Write(line); err != nil && p.first == nil {
		p.first = err
	}
}

// err reports the first write error, and warns of a template that failed
// on some frame.
func (p *framePrinter) err(errOut io.Writer) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.warn != nil {
		fmt.Fprintf(errOut, "spgo: warning: --format failed on some frames: %v\n", p.warn)
	}
	return p.first
}

// render makes the line of f.
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
		// Without HTML escaping: directions are "C>D", not "C\u003eD".
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		err := enc.Encode(tapJSON{Frame: *f, Hex: hex.EncodeToString(f.Raw)})
		return escapeC1(b.Bytes()), err
	}
	return []byte(frameLine(f) + "\n"), nil
}

// frameLine is a frame's text line: time, connection, direction, session,
// and the frame.
func frameLine(f *tap.Frame) string {
	dir, session := string(f.Dir), f.Session
	if dir == "" {
		dir = "---"
	}
	if session == "" {
		session = "-"
	}
	return fmt.Sprintf("%s [%d] %s %s %s", f.Time.Format(tapTimeLayout), f.Conn, dir, safeName(session), f.Summary())
}

// safeName shows a session name with control bytes escaped.
func safeName(s string) string {
	q := fmt.Sprintf("%q", s)
	if q[1:len(q)-1] == s {
		return s
	}
	return q
}

// frameFields is what a --format template sees: the fields of -o json,
// every one present (zero when the frame has none), so a template can
// name any field on any frame.
func frameFields(f *tap.Frame) map[string]any {
	j, _ := json.Marshal(tapJSON{Frame: *f, Hex: hex.EncodeToString(f.Raw)})
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
