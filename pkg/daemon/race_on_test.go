//go:build race

package daemon

// raceEnabled scales load tests down under the (10x slower) race detector.
const raceEnabled = true
