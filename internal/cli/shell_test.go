package cli

import (
	"context"
	"strings"
	"testing"
)

func runShellScript(t *testing.T, sess *fakeSession, script string) (string, string, error) {
	t.Helper()
	f, io := testFactory(t, sess)
	io.in.WriteString(script)
	err := connectRun(context.Background(), &ConnectOptions{Factory: f, Conn: ConnOptions{Server: "4803"}})
	return io.out.String(), io.err.String(), err
}

func TestShellScripted(t *testing.T) {
	sess := newFakeSession("#me#d1")
	script := `async off
j g1
r
s g1 g2
hello there
m -S agreed -t 9 g1
line one
line two

receive 2
b g1 20 2
r 2
poll
groups
leave g1
q
`
	out, errOut, err := runShellScript(t, sess, script)
	if err != nil {
		t.Fatal(err, errOut)
	}
	want := `connected to 4803 as #me#d1
membership g1: join of #me#d1
  members (1): #me#d1
  group id 2130706433 1700000000 1
  vs set 0 (local): #me#d1
SAFE from #me#d1 to g1 g2, type 1 (11 bytes): hello there
AGREED from #me#d1 to g1, type 9 (17 bytes): line one
line two
sent 2 messages of 20 bytes to g1
FIFO from #me#d1 to g1, type 2 (20 bytes): mess num 1 ^@^@^@^@^@^@^@^@^@
FIFO from #me#d1 to g1, type 2 (20 bytes): mess num 2 ^@^@^@^@^@^@^@^@^@
poll: 0 messages waiting (0 bytes)
joined: g1
Bye.
`
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if errOut != "" {
		t.Errorf("stderr %q", errOut)
	}
	if len(sess.sent) != 4 || sess.sent[2].service != "fifo" || sess.sent[2].msgType != 2 {
		t.Errorf("sent %+v", sess.sent)
	}
}

func TestShellInlineMessageAndErrors(t *testing.T) {
	sess := newFakeSession("#me#d1")
	out, errOut, err := runShellScript(t, sess, "send g1 --   spaced  out  \nbogus\njoin a#b\nsend -S fast g1 -- x\nasync maybe\nreceive\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.sent) != 1 || sess.sent[0].data != "  spaced  out  " {
		t.Errorf("sent %+v", sess.sent)
	}
	wantErr := `error: unknown command "bogus": type help for the commands
error: group name "a#b" has byte '#' (0x23) at offset 1: allowed are '$'..'~' (0x24..0x7e: printable ASCII except space, '!', '"' and '#')
error: send: invalid argument "fast" for "-S, --service" flag: "fast" is not one of unreliable, reliable, fifo, causal, agreed, safe
error: async "maybe": allowed are on and off
error: async display is on, messages are printed as they arrive ("async off" keeps them for receive)
`
	if errOut != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, wantErr)
	}
	if !strings.HasSuffix(out, "Bye.\n") {
		t.Errorf("stdout %q", out)
	}
}

func TestShellAsyncPrintsAsTheyArrive(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sess.afterJoin = func(f *fakeSession, g string) { f.events <- dataEvent("hi", g) }
	f, io := testFactory(t, sess)
	// Block the script until the message was printed: the reader gets
	// its second line only after the receiver printed "hi".
	pr, pw := newPipe()
	f.IOStreams.In = pr
	done := make(chan error, 1)
	go func() {
		done <- connectRun(context.Background(), &ConnectOptions{Factory: f, Conn: ConnOptions{Server: "4803"}})
	}()
	pw.WriteString("join g1\n")
	io.out.waitFor(t, "(2 bytes): hi")
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestShellConnectionLost(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, io := testFactory(t, sess)
	pr, pw := newPipe()
	f.IOStreams.In = pr
	defer pw.Close()
	done := make(chan error, 1)
	go func() {
		done <- connectRun(context.Background(), &ConnectOptions{Factory: f, Conn: ConnOptions{Server: "4803"}})
	}()
	io.out.waitFor(t, "connected")
	sess.kill()
	err := <-done
	if ExitCode(err) != ExitConnectLost {
		t.Fatalf("err %v exit %d", err, ExitCode(err))
	}
}

func TestShellCompleter(t *testing.T) {
	sess := newFakeSession("#me#d1")
	f, _ := testFactory(t, sess)
	sh := newShell(context.Background(), sess, &ConnectOptions{Factory: f})
	sh.joined["chat"] = true
	sh.joined["news"] = true
	c := &shellCompleter{sh: sh}
	cases := map[string][]string{
		"jo":               {"in "},
		"se":               {"nd "},
		"send ":            {"chat ", "news "},
		"send chat ":       {"news "},
		"send -S ag":       {"reed "},
		"leave n":          {"ews "},
		"async o":          {"n ", "ff "},
		"multiline --s":    {"ervice ", "elf-discard "},
		"receive ":         {},
		"burst --service ": {"unreliable ", "reliable ", "fifo ", "causal ", "agreed ", "safe "},
	}
	for line, want := range cases {
		got, _ := c.Do([]rune(line), len([]rune(line)))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if strings.Join(gs, "|") != strings.Join(want, "|") {
			t.Errorf("%q: got %q want %q", line, gs, want)
		}
	}
}

// TestShellEndOfInputAtMessagePrompt: input that ends at send's message
// prompt cancels the send (nothing sent, no "error: EOF") and then quits.
func TestShellEndOfInputAtMessagePrompt(t *testing.T) {
	for _, script := range []string{"send g1\n", "multiline g1\nline one\n", "burst g1\n"} {
		sess := newFakeSession("#me#d1")
		out, errOut, err := runShellScript(t, sess, script)
		if err != nil {
			t.Fatalf("%q: %v", script, err)
		}
		cmd := strings.Fields(script)[0]
		if errOut != cmd+" cancelled, nothing sent\n" {
			t.Errorf("%q: stderr %q", script, errOut)
		}
		if len(sess.sent) != 0 {
			t.Errorf("%q: sent %+v", script, sess.sent)
		}
		if !strings.HasSuffix(out, "Bye.\n") {
			t.Errorf("%q: stdout %q", script, out)
		}
	}
}

// syncShell is a shell on sess with its receive loop running and async
// off, so that a receive command waits for its message; a test sends
// Ctrl-C on sh.intr.
func syncShell(t *testing.T, sess *fakeSession) (*shell, *testIO) {
	t.Helper()
	f, tio := testFactory(t, sess)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sh := newShell(ctx, sess, &ConnectOptions{Factory: f, Conn: ConnOptions{Server: "4803"}})
	sh.intr = make(chan struct{}, 1)
	sh.out = &lockedWriter{w: f.IOStreams.Out}
	sh.printer.out = sh.out
	go sh.receiveLoop()
	if err := sh.exec("async off"); err != nil {
		t.Fatal(err)
	}
	return sh, tio
}

// A Ctrl-C that came while no receive was waiting (during a busy command)
// is dropped when the next command starts: that receive waits for its
// message instead of stopping at once. A Ctrl-C during the receive still
// stops it.
func TestShellStaleInterruptDropped(t *testing.T) {
	sess := newFakeSession("#me#d1")
	sh, tio := syncShell(t, sess)
	sh.intr <- struct{}{} // Ctrl-C while the previous command was busy
	sh.lr = newPlainReader(strings.NewReader("receive\n"))
	line, err := sh.readCommand()
	if err != nil || line != "receive" || len(sh.intr) != 0 {
		t.Fatalf("read %q %v with %d interrupts left, want the line and none", line, err, len(sh.intr))
	}
	done := make(chan error, 1)
	go func() { done <- sh.exec(line) }()
	if err := sess.Join("g1"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("receive: %v, want the membership message", err)
	}
	if out := tio.out.String(); !strings.Contains(out, "membership g1: join of #me#d1") {
		t.Errorf("receive printed %q", out)
	}
	go func() { done <- sh.exec("receive") }()
	for { // Ctrl-C, again and again, until the waiting receive stops
		select {
		case sh.intr <- struct{}{}:
			continue
		case err := <-done:
			if err == nil || err.Error() != "receive cancelled" {
				t.Errorf("receive after Ctrl-C: %v, want receive cancelled", err)
			}
		}
		break
	}
}

// A Ctrl-C typed after a receive line is entered, before the command has
// started, is for that receive: it stops at once instead of waiting.
func TestShellInterruptAfterEnterKept(t *testing.T) {
	sh, _ := syncShell(t, newFakeSession("#me#d1"))
	sh.lr = newPlainReader(strings.NewReader("receive\n"))
	line, err := sh.readCommand()
	if err != nil {
		t.Fatal(err)
	}
	sh.intr <- struct{}{}
	if err := sh.exec(line); err == nil || err.Error() != "receive cancelled" {
		t.Fatalf("receive after Ctrl-C: %v, want receive cancelled", err)
	}
}
