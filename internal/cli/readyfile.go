package cli

import (
	"fmt"
	"os"
)

// writeFileAtomic writes a --ready-file (daemon, join, listen, poll, flood
// agent): data to a temporary file, then renamed, so that a script waiting
// for path never reads it half-written.
func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	return nil
}
