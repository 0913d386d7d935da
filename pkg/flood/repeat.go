package flood

import "context"

// Repeat runs every point of a sweep of dim over values (or, with dim "",
// base alone) n times. The repetitions go round robin: the first run of
// every point, then the second of every point, and so on, and each run
// floods every service type of base in turn, so that a machine whose
// speed drifts during the whole slows every point and service type alike
// instead of the last few. Each point carries its run number (1..n);
// each (if set) is called after every run. Points hold every run that
// finished, also when err is set.
func Repeat(ctx context.Context, base Config, dim string, values []int, n int, each func(Point)) ([]Point, error) {
	if n < 1 {
		return nil, &ConfigError{Field: "Repeat", Value: n, Allow: "1 or more runs of each point"}
	}
	if dim != "" {
		if err := CheckSweep(base, dim, values); err != nil {
			return nil, err
		}
	} else {
		values = []int{0}
	}
	var points []Point
	for run := 1; run <= n; run++ {
		var err error
		if points, err = runRound(ctx, base, dim, values, run, points, each); err != nil {
			return points, err
		}
	}
	return points, nil
}

// runRound runs base once at each value of dim, appending each run that
// measured a service type to points as a Point labelled run (0 outside
// Repeat) and handing it to each (if set). It stops at the first error,
// with the points so far.
func runRound(ctx context.Context, base Config, dim string, values []int, run int, points []Point, each func(Point)) ([]Point, error) {
	for _, v := range values {
		res, err := Run(ctx, pointConfig(base, dim, v))
		if res != nil && len(res.Services) > 0 {
			p := Point{Size: res.Size, Receivers: res.Receivers, Run: run, Results: res}
			points = append(points, p)
			if each != nil {
				each(p)
			}
		}
		if err != nil {
			return points, err
		}
	}
	return points, nil
}

// pointConfig is base with the swept dimension (if any) set to v.
func pointConfig(base Config, dim string, v int) Config {
	switch dim {
	case SweepSize:
		base.Size = v
	case SweepReceivers:
		base.Receivers = v
	}
	return base
}
