package bench

import (
	"slices"

	"golang.org/x/perf/benchmath"
)

// Confidence is the level of every confidence interval, benchstat's.
const Confidence = 0.95

// Series is every run of one point: the values of each unit, in the order
// the runs came.
type Series struct {
	Key    Key
	Units  []string             // in the order of Units
	Values map[string][]float64 // by unit
}

// Set is a collection of runs: the configuration they ran in (key: value
// pairs, as Go's benchmark format writes them) and one series per point.
type Set struct {
	Config []ConfigLine
	Series []Series
}

// ConfigLine is one key: value line of Go's benchmark format.
type ConfigLine struct {
	Key, Value string
}

// Group gathers measurements into one series per point, in the order each
// point first appears.
func Group(ms []Measurement) []Series {
	var out []Series
	index := map[Key]int{}
	for _, m := range ms {
		i, ok := index[m.Key]
		if !ok {
			i = len(out)
			index[m.Key] = i
			out = append(out, Series{Key: m.Key, Values: map[string][]float64{}})
		}
		s := &out[i]
		for _, v := range m.Values {
			if !slices.Contains(s.Units, v.Unit) {
				s.Units = append(s.Units, v.Unit)
			}
			s.Values[v.Unit] = append(s.Values[v.Unit], v.Value)
		}
	}
	for i := range out {
		slices.SortStableFunc(out[i].Units, func(a, b string) int { return unitRank(a) - unitRank(b) })
	}
	return out
}

// unitRank orders units as Units lists them, unknown ones last.
func unitRank(u string) int {
	if i := slices.Index(Units, u); i >= 0 {
		return i
	}
	return len(Units)
}

// Summary is a sample's median and the bounds of its 95% confidence
// interval, as benchstat gives them.
type Summary struct {
	N      int     `json:"runs"`
	Median float64 `json:"median"`
	Lo     float64 `json:"ci_low"`
	Hi     float64 `json:"ci_high"`
	// Range is the interval as benchstat writes it: the larger distance
	// from the median to a bound, in percent ("3%"), or "∞" when the runs
	// are too few to bound it.
	Range string `json:"ci_range"`
	// Note says why the interval is unbounded, "" when it is not.
	Note string `json:"note,omitempty"`
}

// Summarise is the median of values and its confidence interval
// (benchmath's distribution-free estimate).
func Summarise(values []float64) Summary {
	s := benchmath.AssumeNothing.Summary(sample(values), Confidence)
	sum := Summary{N: len(values), Median: s.Center, Lo: s.Lo, Hi: s.Hi, Range: s.PctRangeString()}
	if len(s.Warnings) > 0 {
		sum.Note = s.Warnings[0].Error()
		sum.Lo, sum.Hi = 0, 0 // ±Inf has no JSON form; Range says "∞"
	}
	return sum
}

// sample is values as benchmath takes them (sorted in a copy: the caller
// keeps the run order).
func sample(values []float64) *benchmath.Sample {
	return benchmath.NewSample(slices.Clone(values), &benchmath.DefaultThresholds)
}

// SeriesSummary is one point's summary in every unit it has.
type SeriesSummary struct {
	Key   Key           `json:"point"`
	Units []UnitSummary `json:"units"`
}

// UnitSummary is one unit's summary.
type UnitSummary struct {
	Unit string `json:"unit"`
	Summary
}

// SummariseAll summarises every series of ms's points.
func SummariseAll(ms []Measurement) []SeriesSummary {
	var out []SeriesSummary
	for _, s := range Group(ms) {
		ss := SeriesSummary{Key: s.Key}
		for _, u := range s.Units {
			ss.Units = append(ss.Units, UnitSummary{Unit: u, Summary: Summarise(s.Values[u])})
		}
		out = append(out, ss)
	}
	return out
}

// Get is the summary of unit, and whether the point has it.
func (s SeriesSummary) Get(unit string) (Summary, bool) {
	for _, u := range s.Units {
		if u.Unit == unit {
			return u.Summary, true
		}
	}
	return Summary{}, false
}
