package cli

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/spgo/spgo/pkg/spread"
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
	const want = "message of more than 143119 bytes to 1 group is too long: data + 32 per group > 143151, allowed up to 143151"
	if err == nil || err.Error() != want || ExitCode(err) != ExitError {
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
	io.WriteString(pw, "first\n")
	sess.waitSent(t, 1)
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
	if err == nil || !strings.Contains(err.Error(), "line 2 of standard input: message of more than 143119 bytes to 1 group is too long: data + 32 per group > 143151, allowed up to 143151") ||
		!strings.Contains(err.Error(), "1 message before it were sent") {
		t.Fatalf("err %v", err)
	}
}

func TestBoundedLines(t *testing.T) {
	long := strings.Repeat("b", spread.MaxData(1)) // exactly the limit, then "\n"
	next := boundedLines(strings.NewReader("a\r\n"+long+"\n\nlast"), 1, "test")
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
	if want := "a|" + long + "||last"; strings.Join(got, "|") != want {
		t.Fatalf("lines %q, want %q", strings.Join(got, "|"), want)
	}
}

// -m, --file and standard input refuse an oversized message with one
// sentence and one limit; a stream, not read past the limit, says "more
// than".
func TestTooLongSameForEverySource(t *testing.T) {
	big := strings.Repeat("x", 150000)
	path := t.TempDir() + "/big"
	if err := os.WriteFile(path, []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(o SendOptions, in io.Reader) string {
		sess := newFakeSession("#me#d1")
		f, _ := testFactory(t, sess)
		f.IOStreams.In = in
		o.Factory, o.Groups, o.Service, o.Repeat = f, []string{"g1", "g2"}, "safe", 1
		err := sendRun(context.Background(), &o)
		if err == nil || ExitCode(err) != ExitError || len(sess.sent) != 0 {
			t.Fatalf("err %v (exit %d), %d sent: want a refusal, exit 1, nothing sent", err, ExitCode(err), len(sess.sent))
		}
		return err.Error()
	}
	const exact = "message of 150000 bytes to 2 groups is too long: data + 32 per group = 150064, allowed up to 143151"
	if got := run(SendOptions{Message: big, MessageSet: true}, strings.NewReader("")); got != exact {
		t.Errorf("-m: %q, want %q", got, exact)
	}
	if got := run(SendOptions{File: path}, strings.NewReader("")); got != exact {
		t.Errorf("--file: %q, want %q", got, exact)
	}
	const stream = "message of more than 143087 bytes to 2 groups is too long: data + 32 per group > 143151, allowed up to 143151"
	if got := run(SendOptions{}, strings.NewReader(big)); got != stream {
		t.Errorf("standard input: %q, want %q", got, stream)
	}
}
