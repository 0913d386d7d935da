package unixsock

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRemoveStale: nothing there and a socket nobody accepts on are fine
// (the latter is removed); a live socket and a file that is not a socket
// are refused and left alone.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	if err := RemoveStale(filepath.Join(dir, "none")); err != nil {
		t.Fatalf("no file: %v", err)
	}

	stale := filepath.Join(dir, "stale")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if err := RemoveStale(stale); err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale socket left: %v", err)
	}

	live := filepath.Join(dir, "live")
	l, err = net.Listen("unix", live)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := RemoveStale(live); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), live) {
		t.Fatalf("live socket: %v, want ErrInUse naming %s", err, live)
	}
	if _, err := os.Lstat(live); err != nil {
		t.Fatalf("live socket removed: %v", err)
	}

	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := RemoveStale(plain); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("plain file: %v, want a refusal saying it is not a socket", err)
	}
	if _, err := os.Lstat(plain); err != nil {
		t.Fatalf("plain file removed: %v", err)
	}
}

// TestRemoveOwn removes the file it was given, not one that replaced it.
func TestRemoveOwn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sock")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	own, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	// Moved away, not removed, so that the new file cannot reuse its inode.
	if err := os.Rename(path, path+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil { // someone else's now
		t.Fatal(err)
	}
	if err := RemoveOwn(path, own); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("a replaced file was removed: %v", err)
	}
	if own, err = os.Lstat(path); err != nil {
		t.Fatal(err)
	}
	if err := RemoveOwn(path, own); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("own file left: %v", err)
	}
}
