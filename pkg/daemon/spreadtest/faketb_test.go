package spreadtest_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// fakeT is the part of a *testing.T the helpers use, for examples (which
// get no t) and for tests of how the helpers fail. Fatalf ends the
// goroutine running the test body, as t.Fatalf does.
type fakeT struct {
	testing.TB // nil: a method the helpers do not use panics
	mu         sync.Mutex
	failures   []string
	cleanups   []func()
}

func (t *fakeT) Helper() {}

func (t *fakeT) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

func (t *fakeT) Errorf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures = append(t.failures, fmt.Sprintf(format, args...))
}

func (t *fakeT) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	runtime.Goexit()
}

func (t *fakeT) Fatal(args ...any) { t.Fatalf("%s", fmt.Sprint(args...)) }

// Context is never cancelled: cleanups run after the body has returned.
func (t *fakeT) Context() context.Context { return context.Background() }

func (t *fakeT) TempDir() string {
	dir, err := os.MkdirTemp("", "spgo")
	if err != nil {
		t.Fatalf("temporary directory: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// runTest runs body as a test function, then its cleanups, and returns
// what it reported as failures (none: "").
func runTest(body func(t testing.TB)) string {
	t := &fakeT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(t)
	}()
	<-done
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	return strings.Join(t.failures, "\n")
}

// inTest runs body as a test function and prints what failed, if anything.
func inTest(body func(t testing.TB)) {
	if failed := runTest(body); failed != "" {
		fmt.Println("FAIL:", failed)
	}
}
