package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/spgo/spgo/internal/english"
)

// send runs send, multiline and burst. The part of the line after " -- "
// is the message itself (send only), so it may hold any spacing.
func (sh *shell) send(cmd, line string) error {
	head, msg, hasMsg := cutMessage(line)
	words := strings.Fields(head)[1:]

	fs := pflag.NewFlagSet(cmd, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	service, msgType := "safe", "1"
	if cmd == "burst" {
		service, msgType = "fifo", "2"
	}
	fs.VarP(newEnumValue(&service, service, serviceNames...), "service", "S", "")
	fs.StringVarP(&msgType, "type", "t", msgType, "")
	selfDiscard := fs.Bool("self-discard", false, "")
	if err := fs.Parse(words); err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	t, err := parseMsgType(msgType)
	if err != nil {
		return fmt.Errorf("%s: %w", cmd, err)
	}
	args := fs.Args()
	switch cmd {
	case "burst":
		return sh.burst(args, service, t, *selfDiscard)
	case "multiline":
		if hasMsg {
			return errors.New("multiline reads its message from the following lines; use send GROUP -- MESSAGE for one line")
		}
	}
	if len(args) == 0 {
		return fmt.Errorf("%s needs at least one group", cmd)
	}
	if err := checkGroups(args, checkSendGroup); err != nil {
		return err
	}
	if !hasMsg {
		if cmd == "send" {
			msg, err = sh.ask(cmd, "enter message: ")
		} else {
			msg, err = sh.readLines(cmd)
		}
		if err != nil {
			return err
		}
	}
	if err := checkMessageSize(len(msg), len(args)); err != nil {
		return err
	}
	if err := sh.s.Send(service, *selfDiscard, args, []byte(msg), t); err != nil {
		return lost(err)
	}
	return lost(sh.s.Flush())
}

// cutMessage splits "send g1 -- the message" at the first " -- ".
func cutMessage(line string) (head, msg string, ok bool) {
	if i := strings.Index(line, " -- "); i >= 0 {
		return line[:i], line[i+4:], true
	}
	if strings.HasSuffix(line, " --") {
		return strings.TrimSuffix(line, " --"), "", true
	}
	return line, "", false
}

// readLines reads a multiline message: lines up to an empty one, joined
// with newlines.
func (sh *shell) readLines(cmd string) (string, error) {
	var lines []string
	prompt := "enter message (end with an empty line): "
	for {
		l, err := sh.ask(cmd, prompt)
		if err != nil {
			return "", err
		}
		if l == "" {
			return strings.Join(lines, "\n"), nil
		}
		lines = append(lines, l)
		prompt = "... "
		if !sh.opts.Interactive {
			prompt = ""
		}
	}
}

// burst sends count messages of size bytes, each starting with
// "mess num N " like spuser's, to one group.
func (sh *shell) burst(args []string, service string, msgType int16, selfDiscard bool) error {
	if len(args) == 0 || len(args) > 3 {
		return errors.New("burst needs GROUP [SIZE [COUNT]]")
	}
	group := args[0]
	if err := checkSendGroup(group); err != nil {
		return err
	}
	size, count := sh.prevSize, 10
	var err error
	if len(args) > 1 {
		if size, err = strconv.Atoi(args[1]); err != nil || size < 0 {
			return fmt.Errorf("burst size %q: allowed is 0 or more bytes", args[1])
		}
	} else {
		l, err := sh.ask("burst", "enter size of each message: ")
		if err != nil {
			return err
		}
		if l = strings.TrimSpace(l); l != "" {
			if size, err = strconv.Atoi(l); err != nil || size < 0 {
				return fmt.Errorf("burst size %q: allowed is 0 or more bytes", l)
			}
		}
	}
	if len(args) > 2 {
		if count, err = strconv.Atoi(args[2]); err != nil || count < 1 {
			return fmt.Errorf("burst count %q: allowed is 1 or more", args[2])
		}
	}
	if err := checkMessageSize(size, 1); err != nil {
		return err
	}
	sh.prevSize = size
	for i := 1; i <= count; i++ {
		msg := make([]byte, size)
		copy(msg, fmt.Sprintf("mess num %d ", i))
		if err := sh.s.Send(service, selfDiscard, []string{group}, msg, msgType); err != nil {
			return lost(err)
		}
	}
	if err := sh.s.Flush(); err != nil {
		return lost(err)
	}
	sh.report(fmt.Sprintf("sent %d %s of %d bytes to %s", count, english.Plural(count, "message", "messages"), size, group),
		jsonSent{Kind: "sent", Messages: count, Size: size, Groups: []string{group}})
	return nil
}
