package bench

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// Change is one point's one unit, old against new.
type Change struct {
	Key  Key     `json:"point"`
	Unit string  `json:"unit"`
	Old  Summary `json:"old"`
	New  Summary `json:"new"`
	// Delta is the change of the medians in percent of the old one (0
	// when the old median is 0); P is the Mann-Whitney U test's p-value.
	Delta float64 `json:"delta_pct"`
	P     float64 `json:"p"`
	// Significant is P < Alpha: the runs differ beyond noise. A change
	// that is not significant is written "~", as benchstat does.
	Significant bool    `json:"significant"`
	Alpha       float64 `json:"alpha"`
	// Note says why the test could not tell (too few runs), "" otherwise.
	Note string `json:"note,omitempty"`
}

// Worse reports whether the change is for the worse: fewer messages, or
// a longer latency.
func (c Change) Worse() bool {
	if HigherIsBetter(c.Unit) {
		return c.Delta < 0
	}
	return c.Delta > 0
}

// Comparison is what Compare found: every unit of every point in both
// sets, the points only one of them has, and the configuration lines that
// differ.
type Comparison struct {
	Changes []Change `json:"changes"`
	OnlyOld []Key    `json:"only_old,omitempty"`
	OnlyNew []Key    `json:"only_new,omitempty"`
	// ConfigDiffs are the configuration lines whose values differ: the two
	// sets did not run alike (another daemon, another window...).
	ConfigDiffs []ConfigDiff `json:"config_diffs,omitempty"`
}

// ConfigDiff is one configuration key's old and new value ("" if absent).
type ConfigDiff struct {
	Key string `json:"key"`
	Old string `json:"old"`
	New string `json:"new"`
}

// Compare compares every point and unit the two sets share.
func Compare(old, new Set) Comparison {
	var c Comparison
	newByKey := map[Key]Series{}
	for _, s := range new.Series {
		newByKey[s.Key] = s
	}
	oldKeys := map[Key]bool{}
	for _, o := range old.Series {
		oldKeys[o.Key] = true
		n, ok := newByKey[o.Key]
		if !ok {
			c.OnlyOld = append(c.OnlyOld, o.Key)
			continue
		}
		for _, u := range o.Units {
			if nv, ok := n.Values[u]; ok {
				c.Changes = append(c.Changes, compareUnit(o.Key, u, o.Values[u], nv))
			}
		}
	}
	for _, s := range new.Series {
		if !oldKeys[s.Key] {
			c.OnlyNew = append(c.OnlyNew, s.Key)
		}
	}
	c.ConfigDiffs = configDiffs(old.Config, new.Config)
	return c
}

// compareUnit summarises both samples and tests them with benchmath's
// distribution-free comparison (the Mann-Whitney U test).
func compareUnit(k Key, unit string, old, new []float64) Change {
	ch := Change{Key: k, Unit: unit, Old: Summarise(old), New: Summarise(new)}
	cmp := benchmath.AssumeNothing.Compare(sample(old), sample(new))
	ch.P, ch.Alpha = cmp.P, cmp.Alpha
	ch.Significant = cmp.P < cmp.Alpha
	if len(cmp.Warnings) > 0 {
		ch.Note = cmp.Warnings[0].Error()
	}
	if ch.Old.Median != 0 {
		ch.Delta = (ch.New.Median/ch.Old.Median - 1) * 100
	} else if ch.New.Median != 0 {
		ch.Note = "the old median is 0: no change in percent"
	}
	return ch
}

// configDiffs lists the keys whose values differ, in old's order then
// new's.
func configDiffs(old, new []ConfigLine) []ConfigDiff {
	value := func(lines []ConfigLine, key string) string {
		i := slices.IndexFunc(lines, func(l ConfigLine) bool { return l.Key == key })
		if i < 0 {
			return ""
		}
		return lines[i].Value
	}
	var out []ConfigDiff
	seen := map[string]bool{}
	for _, l := range append(slices.Clone(old), new...) {
		if seen[l.Key] {
			continue
		}
		seen[l.Key] = true
		if o, n := value(old, l.Key), value(new, l.Key); o != n {
			out = append(out, ConfigDiff{Key: l.Key, Old: o, New: n})
		}
	}
	return out
}

// Regressions are the significant changes for the worse by more than pct
// percent in messages per second or a one-way or round-trip latency
// percentile (MB/s follows msgs/s and is not counted twice).
func (c Comparison) Regressions(pct float64) []Change {
	var out []Change
	for _, ch := range c.Changes {
		if ch.Unit == UnitMB || !ch.Significant || !ch.Worse() {
			continue
		}
		if math.Abs(ch.Delta) > pct {
			out = append(out, ch)
		}
	}
	return out
}

// RegressionError is the gate's verdict when Regressions found any.
type RegressionError struct {
	Threshold float64
	Changes   []Change
}

func (e *RegressionError) Error() string {
	worst := e.Changes[0]
	for _, c := range e.Changes[1:] {
		if math.Abs(c.Delta) > math.Abs(worst.Delta) {
			worst = c
		}
	}
	return fmt.Sprintf("flood compare: %d significant regression(s) beyond %g%%; worst: %s %s %+.2f%% (p=%.3f)",
		len(e.Changes), e.Threshold, worst.Key.BenchName(), worst.Unit, worst.Delta, worst.P)
}

// Gate returns a *RegressionError when the comparison has a significant
// regression beyond pct percent, nil when it has none.
func (c Comparison) Gate(pct float64) error {
	if r := c.Regressions(pct); len(r) > 0 {
		return &RegressionError{Threshold: pct, Changes: r}
	}
	return nil
}
