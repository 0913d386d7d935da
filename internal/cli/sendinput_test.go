package cli

import (
	"context"
	"io"
	"strings"
	"testing"
)

// endless is an input that never ends (like /dev/zero or `yes`); it counts
// what was read from it.
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'y'
	}
	e.n += len(p)
	return len(p), nil
}

// A message from an endless input fails at the size limit, having read no
// more than one byte past it, and nothing reaches the daemon.
func TestSendEndlessInputStopsAtLimit(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, _ := testFactory(t, sess)
	src := &endless{}
	f.IOStreams.In = src
	err := sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1"}, Service: "safe", Repeat: 1})
	if err == nil || !strings.Contains(err.Error(), "longer than 143119 bytes") || ExitCode(err) != ExitError {
		t.Fatalf("err %v (exit %d), want the size limit named, exit 1", err, ExitCode(err))
	}
	if src.n > 143119+1+64<<10 { // LimitReader plus one read buffer at most
		t.Errorf("read %d bytes from an endless input", src.n)
	}
	if len(sess.sent) != 0 {
		t.Errorf("sent %d messages", len(sess.sent))
	}
}

// With --lines each line goes out as soon as it is read: the first line
// reaches the daemon while the input is still open.
func TestSendLinesStreams(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, _ := testFactory(t, sess)
	pr, pw := io.Pipe()
	f.IOStreams.In = pr
	done := make(chan error, 1)
	go func() {
		done <- sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1"}, Lines: true, Service: "fifo", Repeat: 1})
	}()
	sentCount := func() int { sess.mu.Lock(); defer sess.mu.Unlock(); return len(sess.sent) }
	io.WriteString(pw, "first\n")
	waitFor(t, func() bool { return sentCount() == 1 })
	io.WriteString(pw, "second\r\n")
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range userSent(t, sess) {
		got = append(got, s.data)
	}
	if strings.Join(got, "|") != "first|second" {
		t.Fatalf("sent %q", got)
	}
}

// A line over the limit is an error that names the line and says how many
// messages went out before it.
func TestSendLinesTooLong(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, _ := testFactory(t, sess)
	f.IOStreams.In = io.MultiReader(strings.NewReader("ok\n"), strings.NewReader(strings.Repeat("x", 143120)+"\n"))
	err := sendRun(context.Background(), &SendOptions{Factory: f, Groups: []string{"g1"}, Lines: true, Service: "fifo", Repeat: 1})
	if err == nil || !strings.Contains(err.Error(), "line 2 of standard input is longer than 143119 bytes") ||
		!strings.Contains(err.Error(), "1 message before it were sent") {
		t.Fatalf("err %v", err)
	}
}

func TestBoundedLines(t *testing.T) {
	next := boundedLines(strings.NewReader("a\r\n"+strings.Repeat("b", 10)+"\n\nlast"), 10, "test")
	var got []string
	for {
		m, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m))
	}
	if want := "a|bbbbbbbbbb||last"; strings.Join(got, "|") != want {
		t.Fatalf("lines %q, want %q", strings.Join(got, "|"), want)
	}
}
