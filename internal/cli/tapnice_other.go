//go:build !linux

package cli

// lowerPriority is Linux only; elsewhere the tap runs at the priority it
// was started with (use nice(1)).
func lowerPriority(int) error { return nil }
