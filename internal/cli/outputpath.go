package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkOutputPath makes sure the file a flag names can be written, before a
// long run whose results would otherwise be lost at the end: its directory
// exists and takes new files, and the path is not a directory. An existing
// file is opened for writing without truncating it; for a new one, a
// temporary file is created in the directory and removed.
func checkOutputPath(flag, path string) error {
	st, err := os.Stat(path)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("%s %s is a directory: name a file", flag, path)
	case err == nil:
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("%s %s cannot be written: %w", flag, path, plainPathError(err))
		}
		return f.Close()
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s %s: %w", flag, path, plainPathError(err))
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("%s %s: directory %s does not exist", flag, path, dir)
	}
	f, err := os.CreateTemp(dir, ".spgo-write-check-*")
	if err != nil {
		return fmt.Errorf("%s %s: cannot create files in %s: %w", flag, path, dir, plainPathError(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// plainPathError drops the operation and path a *fs.PathError repeats.
func plainPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkFloodOutputs checks every file flood writes at the end of its run.
func checkFloodOutputs(o *FloodOptions) error {
	for _, out := range []struct{ flag, path string }{{"--csv", o.CSV}, {"--plot", o.Plot}, {"--cpuprofile", o.CPUProfile}} {
		if out.path == "" {
			continue
		}
		if err := checkOutputPath(out.flag, out.path); err != nil {
			return invalidValue(err)
		}
	}
	return nil
}
