package cli

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// threadNiceness is the niceness of each of this process's threads, read
// from /proc (field 19 of stat; a thread's name may hold spaces, so fields
// are counted after its closing parenthesis).
func threadNiceness(t *testing.T) map[string]string {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	nice := map[string]string{}
	for _, task := range tasks {
		stat, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		nice[task.Name()] = fields[16] // state is field 3, niceness 19
	}
	return nice
}

// lowerPriority reaches every thread, also those the runtime starts
// afterwards. It runs in a child process, so that the test binary's other
// tests keep their priority.
func TestLowerPriorityReachesEveryThread(t *testing.T) {
	if os.Getenv("SPGO_NICE_CHILD") == "1" {
		if err := lowerPriority(7); err != nil {
			t.Fatal(err)
		}
		// Goroutines blocked in system calls make the runtime start
		// threads after the change.
		var fds [2]int
		if err := syscall.Pipe(fds[:]); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b [1]byte
				syscall.Read(fds[0], b[:])
			}()
		}
		syscall.Write(fds[1], []byte("abcd"))
		wg.Wait()
		for tid, n := range threadNiceness(t) {
			if n != "7" {
				t.Errorf("thread %s has niceness %s, want 7", tid, n)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLowerPriorityReachesEveryThread$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SPGO_NICE_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
