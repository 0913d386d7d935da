package ringctl

import (
	"strings"

	"github.com/spgo/spgo/pkg/daemon"
)

// command is one parsed command line: its name, its argument ("" for
// none) and, for partition, the components.
type command struct {
	name, arg string
	comps     [][]string
}

// Check refuses a command line no ring could carry out: an empty line, an
// unknown command, the wrong number of arguments, a partition that does
// not parse. It is the *daemon.FaultError Apply would give, found without
// a ring: Send checks the line before it dials.
func Check(line string) error {
	_, err := parse(line)
	return err
}

// parse reads a command line, checking its form only (the nodes it names
// are the ring's to check).
func parse(line string) (command, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return command{}, refused("empty command: want %s", Usage)
	}
	c := command{name: f[0]}
	// want refuses a line with other than n words, saying what to give.
	want := func(n int, what string) error {
		switch {
		case len(f) == n:
			if n == 2 {
				c.arg = f[1]
			}
			return nil
		case n == 1:
			return refused("%s: takes no arguments (just %s)", f[0], f[0])
		}
		return refused("%s: give %s", f[0], what)
	}
	var err error
	switch c.name {
	case "crash", "restart", "freeze", "thaw":
		err = want(2, "one node name, e.g. "+c.name+" d3")
	case "partition":
		if err = want(2, "one layout naming every node once, e.g. partition d1,d2/d3"); err == nil {
			c.comps, err = ParsePartition(c.arg)
		}
	case "heal", "hold", "step", "status":
		err = want(1, "")
	default:
		err = refused("unknown command %q: want %s", c.name, Usage)
	}
	return c, err
}

// Apply carries out one command line on r and returns the reply's text,
// the layout after it. A refused command (a bad line, an unknown node, a
// fault the ring refuses) is a *daemon.FaultError naming what was wrong;
// nothing has changed then.
func Apply(r *daemon.Ring, line string) (string, error) {
	c, err := parse(line)
	if err != nil {
		return "", err
	}
	switch c.name {
	case "crash":
		err = r.Crash(c.arg)
	case "restart":
		err = r.Restart(c.arg)
	case "freeze":
		err = r.Freeze(c.arg)
	case "thaw":
		err = r.Thaw(c.arg)
	case "partition":
		err = r.Partition(c.comps...)
	case "heal":
		err = r.Heal()
	case "hold":
		err = r.Hold()
	case "step":
		_, err = r.Step()
	}
	if err != nil {
		return "", err
	}
	return LayoutOf(r).String(), nil
}
