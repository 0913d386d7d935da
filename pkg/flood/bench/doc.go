// Package bench turns flood results into repeated measurements and judges
// them as benchstat does: each point's runs summarised by their median
// and its 95% confidence interval, two sets of runs compared with the
// Mann-Whitney U test, and a regression gate on top. It reads and writes
// Go's benchmark format (golang.org/x/perf/benchfmt), so the real
// benchstat and the trackers that take Go's format read spgo's results,
// and it reads spgo flood's JSON as well. The statistics are
// golang.org/x/perf/benchmath's; this package only decides what is
// measured and what counts as a regression.
package bench
