package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// TimestampLayout is how --timestamp writes the receive time, in text and
// JSON: RFC 3339 with microseconds, fixed width so columns line up.
const TimestampLayout = "2006-01-02T15:04:05.000000Z07:00"

// formatHelp lists what --format templates can use (flag help and README).
const formatHelp = `Go template over the fields of -o json --timestamp (kind, time, service, sender, groups,
msg_type, size, data or data_base64; cause, group, group_id, members, changed, vs_sets, local_vs_set;
gone_seconds, old_daemon, new_daemon, old_private_group, new_private_group, reason with --reconnect);
functions: json, hex, payload, timefmt, unixmilli, join, upper, lower`

// eventTemplate is a parsed --format template. It runs over the JSON form
// of each event, decoded into maps, so its fields are exactly those of
// -o json, under the same names.
type eventTemplate struct{ t *template.Template }

// parseEventTemplate parses text and tries it on a sample data message
// (and membership change, unless those are not printed), so a template
// that names a field no event has fails before anything connects.
func parseEventTemplate(text string, withMembership bool) (*eventTemplate, error) {
	t, err := template.New("format").Funcs(templateFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("invalid --format: %s", strings.TrimPrefix(err.Error(), "template: "))
	}
	et := &eventTemplate{t: t}
	samples := []*event{{Kind: KindMessage, Service: "AGREED", Sender: "#s#d", Groups: []string{"g"}, MsgType: 1, Data: []byte("x")}}
	if withMembership {
		samples = append(samples, &event{Kind: KindMembership, Cause: "join", Group: "g", Members: []string{"#s#d"}, Changed: []string{"#s#d"}, VSSets: [][]string{{"#s#d"}}})
	}
	for _, e := range samples {
		e.Received = time.Unix(0, 0)
		if _, err := et.render(e); err != nil {
			hint := ""
			if e.Kind == KindMembership {
				hint = " (membership changes have other fields: add --no-membership or test {{if eq .kind \"message\"}})"
			}
			var te *templateError
			if errors.As(err, &te) {
				return nil, fmt.Errorf("invalid --format: on a %s: %s%s", e.Kind, strings.TrimPrefix(te.err.Error(), "template: "), hint)
			}
			return nil, err
		}
	}
	return et, nil
}

// render runs the template over e and returns one line.
func (et *eventTemplate) render(e *event) ([]byte, error) {
	j, err := e.MarshalJSON()
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(j))
	d.UseNumber()
	var fields any
	if err := d.Decode(&fields); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := et.t.Execute(&b, plainNumbers(fields)); err != nil {
		return nil, &templateError{kind: e.Kind, err: err}
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// plainNumbers turns json.Number into int64 (or float64), so templates
// print 7, not 7e+00, and can compare with eq .msg_type 7.
func plainNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plainNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainNumbers(e)
		}
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}

// templateError is a --format template that failed on one event (a
// binary payload has data_base64, not data): listen warns and goes on.
type templateError struct {
	kind string
	err  error
}

func (e *templateError) Error() string {
	return fmt.Sprintf("--format failed on a %s: %s", e.kind, strings.TrimPrefix(e.err.Error(), "template: "))
}

var templateFuncs = template.FuncMap{
	// json renders a value as compact JSON ({{json .groups}}).
	"json": func(v any) (string, error) {
		b, err := marshalTerminalSafe(v)
		return string(b), err
	},
	// hex encodes a string's bytes ({{hex (payload .)}}).
	"hex": func(s string) string { return hex.EncodeToString([]byte(s)) },
	// payload is a message's bytes, whether JSON holds them as data or data_base64.
	"payload": func(m map[string]any) (string, error) {
		if s, ok := m["data"].(string); ok {
			return s, nil
		}
		if s, ok := m["data_base64"].(string); ok {
			b, err := base64.StdEncoding.DecodeString(s)
			return string(b), err
		}
		return "", nil
	},
	// timefmt formats an RFC 3339 time with a Go layout ({{timefmt "15:04:05.000" .time}}).
	"timefmt": func(layout, s string) (string, error) {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return "", err
		}
		return t.Format(layout), nil
	},
	// unixmilli is an RFC 3339 time in milliseconds since 1970 (kcat's -f %T).
	"unixmilli": func(s string) (int64, error) {
		t, err := time.Parse(time.RFC3339Nano, s)
		return t.UnixMilli(), err
	},
	"join": func(sep string, v []any) string {
		s := make([]string, len(v))
		for i, e := range v {
			s[i] = fmt.Sprint(e)
		}
		return strings.Join(s, sep)
	},
	"upper": strings.ToUpper,
	"lower": strings.ToLower,
}
