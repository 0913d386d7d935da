// Package daemonfuzz holds the fuzz targets of pkg/daemon's sessions. They
// use the daemon's public API only (Start, ServeConn) and live in a package
// of their own for speed: the fuzzing engine goes over the coverage
// counters of every instrumented package in the test binary twice per
// input, and pkg/daemon's own test binary carries its tests and
// pkg/spread, which made those passes cost more than the daemon's work on
// an input.
package daemonfuzz
