package cli

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// lowerPriority runs the process at niceness nice at least. On Linux
// niceness belongs to each thread, so every thread the runtime has started
// is lowered; the threads it starts later are cloned from these and
// inherit it. A thread already nicer is left alone (raising a priority
// needs privilege).
func lowerPriority(nice int) error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		raw, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
		if err != nil {
			continue // the thread has exited
		}
		if 20-raw >= nice { // the system call answers 20 - niceness
			continue
		}
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, nice); err != nil {
			return err
		}
	}
	return nil
}
