package bench

import (
	"fmt"
	"strings"
	"time"

	"github.com/spgo/spgo/pkg/flood"
)

// The units of a flood's measurements, as Go's benchmark format writes
// them: per receiver messages and 10^6 payload bytes per second, and
// one-way latency and round-trip percentiles in nanoseconds.
const (
	UnitMsgs    = "msgs/s"
	UnitMB      = "MB/s"
	UnitP50     = "p50-ns"
	UnitP99     = "p99-ns"
	UnitP999    = "p99.9-ns"
	UnitRTTP50  = "rtt-p50-ns"
	UnitRTTP99  = "rtt-p99-ns"
	UnitRTTP999 = "rtt-p99.9-ns"
)

// Units lists every unit in the order results show them.
var Units = []string{UnitMsgs, UnitMB, UnitP50, UnitP99, UnitP999, UnitRTTP50, UnitRTTP99, UnitRTTP999}

// HigherIsBetter reports whether a rise of unit is an improvement (the
// rates) rather than a regression (the latencies).
func HigherIsBetter(unit string) bool { return strings.HasSuffix(unit, "/s") }

// Key is what a measurement is of: one point of a flood.
type Key struct {
	Service   string `json:"service"`
	Size      int    `json:"size"`
	Senders   int    `json:"senders"`
	Receivers int    `json:"receivers"`
}

// BenchName is the point's name in Go's benchmark format, without the
// "Benchmark" prefix: Flood/service=agreed/size=1000/senders=1/receivers=1.
func (k Key) BenchName() string {
	return fmt.Sprintf("Flood/service=%s/size=%d/senders=%d/receivers=%d",
		strings.ToLower(k.Service), k.Size, k.Senders, k.Receivers)
}

// Value is one figure of a measurement.
type Value struct {
	Unit  string
	Value float64
}

// Measurement is one run of one point: its figures in the order of Units.
type Measurement struct {
	Key    Key
	Values []Value
}

// Measurements lists one measurement per service type of every point, in
// the order the points ran. A service type that measured nothing (no
// deliveries) gives no measurement: a rate of 0 would only say the run
// failed, which its warnings already say.
func Measurements(points []flood.Point) []Measurement {
	var out []Measurement
	for _, p := range points {
		r := p.Results
		for _, s := range r.Services {
			if s.Delivered == 0 {
				continue
			}
			m := Measurement{Key: Key{Service: s.Service, Size: r.Size, Senders: r.Senders, Receivers: r.Receivers}}
			m.Values = []Value{{UnitMsgs, s.MsgRate}, {UnitMB, s.MBRate}}
			m.Values = append(m.Values, percentiles(s.Latency, UnitP50, UnitP99, UnitP999)...)
			if s.RTT != nil {
				m.Values = append(m.Values, percentiles(*s.RTT, UnitRTTP50, UnitRTTP99, UnitRTTP999)...)
			}
			out = append(out, m)
		}
	}
	return out
}

// percentiles are l's p50, p99 and p99.9 in the given units, none when l
// timed nothing.
func percentiles(l flood.Latency, p50, p99, p999 string) []Value {
	if l.Count == 0 {
		return nil
	}
	ns := func(d time.Duration) float64 { return float64(d.Nanoseconds()) }
	return []Value{{p50, ns(l.P50)}, {p99, ns(l.P99)}, {p999, ns(l.P999)}}
}
