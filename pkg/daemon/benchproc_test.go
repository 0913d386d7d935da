//go:build unix

package daemon

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benchChildEnv, set in the environment of this test binary, makes it run
// a daemon instead of the tests: benchmarks that report the daemon's own
// CPU time need it in a process of its own, apart from their clients.
const benchChildEnv = "SPGO_BENCH_CHILD_DAEMON"

// benchDaemonPIDEnv names the process id of the external daemon given in
// SPGO_BENCH_DAEMON, so that its CPU time can be read from /proc.
const benchDaemonPIDEnv = "SPGO_BENCH_DAEMON_PID"

// benchChildProfileEnv names a file for a CPU profile of the daemon child
// (go test -cpuprofile profiles the benchmark's own process, the clients).
const benchChildProfileEnv = "SPGO_BENCH_DAEMON_CPUPROFILE"

func TestMain(m *testing.M) {
	if dir := os.Getenv(benchChildEnv); dir != "" {
		os.Exit(runBenchChild(dir))
	}
	os.Exit(m.Run())
}

// runBenchChild starts a daemon with its socket in dir, prints its TCP
// address and socket path on one line, then answers each line on standard
// input with its CPU time (user+system, ns) and the number of heap
// allocations so far, until standard input closes.
func runBenchChild(dir string) int {
	d, err := Start(Config{Name: "localhost", SocketDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		return 1
	}
	defer d.Close()
	if path := os.Getenv(benchChildProfileEnv); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench child:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("%s %s\n", d.TCPAddr(), d.UnixPath())
	in := bufio.NewScanner(os.Stdin)
	var ms runtime.MemStats
	for in.Scan() {
		runtime.ReadMemStats(&ms)
		fmt.Println(int64(ownCPU()), ms.Mallocs)
	}
	return 0
}

func ownCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// daemonProc is a daemon in another process and a way to read its CPU
// time; cpu is nil when it cannot be read. pid, when known, gives its
// system-call counts too.
type daemonProc struct {
	tcp, unix string
	cpu       func() (procSample, error)
	pid       string
}

// procSample is a daemon process's CPU time and, for the child, its heap
// allocations so far (-1: unknown).
type procSample struct {
	cpu     time.Duration
	mallocs int64
}

// benchDaemonProc starts this test binary as a daemon child process, or,
// with SPGO_BENCH_DAEMON set, uses that daemon (its CPU time read from
// /proc when SPGO_BENCH_DAEMON_PID names its process).
func benchDaemonProc(b *testing.B) daemonProc {
	if os.Getenv(benchDaemonEnv) != "" {
		p := daemonProc{tcp: benchAddr(b, "tcp"), unix: benchAddr(b, "unix")}
		if pid := os.Getenv(benchDaemonPIDEnv); pid != "" {
			p.cpu = func() (procSample, error) {
				t, err := procCPU(pid)
				return procSample{cpu: t, mallocs: -1}, err
			}
			p.pid = pid
		}
		return p
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), benchChildEnv+"="+b.TempDir())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	out := bufio.NewReader(stdout)
	line, err := out.ReadString('\n')
	if err != nil {
		b.Fatalf("daemon child: %v", err)
	}
	tcp, unix, ok := strings.Cut(strings.TrimSpace(line), " ")
	if !ok {
		b.Fatalf("daemon child said %q, want \"TCPADDR SOCKET\"", line)
	}
	return daemonProc{tcp: tcp, unix: unix, pid: strconv.Itoa(cmd.Process.Pid), cpu: func() (procSample, error) {
		if _, err := io.WriteString(stdin, "cpu\n"); err != nil {
			return procSample{}, err
		}
		l, err := out.ReadString('\n')
		if err != nil {
			return procSample{}, err
		}
		var ns, mallocs int64
		if _, err := fmt.Sscan(l, &ns, &mallocs); err != nil {
			return procSample{}, fmt.Errorf("daemon child said %q, want \"CPU_NS MALLOCS\": %w", l, err)
		}
		return procSample{cpu: time.Duration(ns), mallocs: mallocs}, nil
	}}
}

// procCPU reads the user and system time of process pid from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms on Linux).
func procCPU(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields count from its ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%s/stat: %d fields after the name", pid, len(f))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%s/stat: utime %q stime %q", pid, f[11], f[12])
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(ut+st) * tick, nil
}

// procSyscalls reads how many read and write system calls (read, readv;
// write, writev: recvmsg and sendmsg are not counted) process pid has
// made, from /proc/PID/io.
func procSyscalls(pid string) (reads, writes int64, err error) {
	b, err := os.ReadFile("/proc/" + pid + "/io")
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ": ")
		switch k {
		case "syscr":
			reads, err = strconv.ParseInt(v, 10, 64)
		case "syscw":
			writes, err = strconv.ParseInt(v, 10, 64)
		}
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%s/io: %s: %w", pid, k, err)
		}
	}
	return reads, writes, nil
}
