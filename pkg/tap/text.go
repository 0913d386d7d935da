package tap

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"
)

// TimeLayout is the layout of the time at the start of a frame's String:
// the time of day to the microsecond, in the local zone.
const TimeLayout = "15:04:05.000000"

// String is the frame's line as spgo tap prints it: time (TimeLayout),
// connection, direction ("---" for an open or close), session ("-" before
// it is known) and Summary.
func (f *Frame) String() string { return string(f.AppendText(nil)) }

// AppendText appends String's text to b, allocating nothing but b's growth.
func (f *Frame) AppendText(b []byte) []byte {
	b = appendClock(b, f.Time)
	b = strconv.AppendInt(append(b, " ["...), int64(f.Conn), 10)
	b = append(b, "] "...)
	if f.Dir == "" {
		b = append(b, "---"...)
	}
	b = append(append(b, f.Dir...), ' ')
	if f.Session == "" {
		b = append(b, '-')
	}
	b = appendSession(b, f.Session)
	return f.AppendSummary(append(b, ' '))
}

// appendClock appends t as TimeLayout would, without parsing the layout.
func appendClock(b []byte, t time.Time) []byte {
	b = append(b, clockOf(t)[:]...)
	us := t.Nanosecond() / 1000
	var d [6]byte
	for i := 5; i >= 0; i-- {
		d[i] = byte('0' + us%10)
		us /= 10
	}
	return append(b, d[:]...)
}

// clockSecond is the "15:04:05." of one second in one zone.
type clockSecond struct {
	unix int64
	loc  *time.Location
	text [9]byte
}

// lastClock is the second clockOf wrote last: the frames of one second
// share the work of finding its time of day.
var lastClock atomic.Pointer[clockSecond]

// clockOf is the "15:04:05." of t.
func clockOf(t time.Time) *[9]byte {
	unix, loc := t.Unix(), t.Location()
	if c := lastClock.Load(); c != nil && c.unix == unix && c.loc == loc {
		return &c.text
	}
	h, m, s := t.Clock()
	c := &clockSecond{unix: unix, loc: loc, text: [9]byte{byte('0' + h/10), byte('0' + h%10), ':', byte('0' + m/10), byte('0' + m%10), ':', byte('0' + s/10), byte('0' + s%10), '.'}}
	lastClock.Store(c)
	return &c.text
}

// appendSession shows a session name with control bytes escaped.
func appendSession(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f || s[i] == '"' || s[i] == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}

// frameFields is Frame without its methods, so that MarshalJSON can use
// the field tags without calling itself.
type frameFields Frame

// MarshalJSON gives the frame as spgo tap -o json prints it: its fields by
// their json tags, the Preview of a view too, and "hex", the frame's bytes
// in hex (absent when it has none). Nothing is HTML-escaped: directions
// are "C>D", not "C\u003eD".
func (f Frame) MarshalJSON() ([]byte, error) {
	if f.Preview == "" && len(f.Data) > 0 {
		f.Preview = preview(f.Data)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		frameFields
		Hex string `json:"hex,omitempty"`
	}{frameFields(f), hex.EncodeToString(f.Raw)})
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), err
}
