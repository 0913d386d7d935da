package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// historyLimit is how many lines the shell's history keeps, the line
// editor's default made explicit: prepareHistory trims to the same count.
const historyLimit = 500

// prepareHistory makes the history file at path private before the line
// editor opens it: the history holds message text typed inline (send g --
// text), so the file is created 0600 and an existing one loses any group
// or other permission (never widened). A file over historyLimit lines is
// trimmed here to its newest lines, into a new private file: the editor
// would otherwise rewrite it itself, creating the new file with the
// process's umask. Anything that is not a regular file (/dev/null) is
// left alone.
func prepareHistory(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer fh.Close()
	info, err := fh.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		if err := fh.Chmod(perm &^ 0o077); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	if len(lines) <= historyLimit {
		return nil
	}
	return replacePrivate(path, bytes.Join(lines[len(lines)-historyLimit:], nil))
}

// replacePrivate replaces the file at path with data, atomically, in a
// new file only its owner can read.
func replacePrivate(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone already after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return nil
}
