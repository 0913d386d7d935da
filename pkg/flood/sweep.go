package flood

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Sweep dimensions.
const (
	SweepSize      = "size"
	SweepReceivers = "receivers"
)

// DefaultSweep lists the values swept when none are given.
var DefaultSweep = map[string][]int{
	SweepSize:      {100, 1000, 10_000, 100_000},
	SweepReceivers: {1, 2, 4, 8},
}

// Point is one run of a sweep (or the only run of a plain flood).
type Point struct {
	Size      int `json:"size"`
	Receivers int `json:"receivers"`
	// Run numbers the repetitions of a point (Repeat), from 1; 0 in a
	// sweep or flood run once.
	Run     int      `json:"run,omitempty"`
	Results *Results `json:"results"`
}

// ParseSweep parses "size", "receivers", "size=100,1000" or
// "receivers=1,2,4,8" into a dimension and its values.
func ParseSweep(s string) (dim string, values []int, err error) {
	dim, list, hasList := strings.Cut(s, "=")
	if dim != SweepSize && dim != SweepReceivers {
		return "", nil, fmt.Errorf("flood: sweep %q: want size[=N,N...] or receivers[=N,N...]", s)
	}
	if !hasList {
		return dim, DefaultSweep[dim], nil
	}
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return "", nil, fmt.Errorf("flood: sweep value %q in %q is not a positive integer", f, s)
		}
		values = append(values, n)
	}
	return dim, values, nil
}

// CheckSweep reports what Sweep would refuse before running anything: an
// unknown dimension, or a receiver count below the number of
// ReceiverDaemons listed (each gets a receiver at least, so the run would
// not have the count its point is labelled with).
func CheckSweep(base Config, dim string, values []int) error {
	if dim != SweepSize && dim != SweepReceivers {
		return &ConfigError{Field: "sweep", Value: dim, Allow: "size or receivers"}
	}
	if n := len(base.ReceiverDaemons); dim == SweepReceivers {
		for _, v := range values {
			if v < n {
				return &ConfigError{Field: "Receivers", Value: v, Allow: fmt.Sprintf(
					"at least %d in this sweep: each of the %d receiver daemons listed gets a receiver", n, n)}
			}
		}
	}
	return nil
}

// Sweep runs base once per value of dim (message size or receiver count)
// and calls each (if set) after every point. A run that measured no
// service type (it failed before the first) is no point; the points so
// far come back with its error.
func Sweep(ctx context.Context, base Config, dim string, values []int, each func(Point)) ([]Point, error) {
	if err := CheckSweep(base, dim, values); err != nil {
		return nil, err
	}
	return runRound(ctx, base, dim, values, 0, nil, each)
}
