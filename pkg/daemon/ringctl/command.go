package ringctl

import (
	"strings"

	"github.com/spgo/spgo/pkg/daemon"
)

// Apply carries out one command line on r and returns the reply's text,
// the layout after it. A refused command (a bad line, an unknown node, a
// fault the ring refuses) is a *daemon.FaultError naming what was wrong;
// nothing has changed then.
func Apply(r *daemon.Ring, line string) (string, error) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", refused("empty command: want %s", Usage)
	}
	// want refuses a line with other than n words, saying what to give.
	want := func(n int, what string) error {
		switch {
		case len(f) == n:
			return nil
		case n == 1:
			return refused("%s: takes no arguments (just %s)", f[0], f[0])
		}
		return refused("%s: give %s", f[0], what)
	}
	var err error
	switch f[0] {
	case "crash":
		if err = want(2, "one node name, e.g. crash d3"); err == nil {
			err = r.Crash(f[1])
		}
	case "restart":
		if err = want(2, "one node name, e.g. restart d3"); err == nil {
			err = r.Restart(f[1])
		}
	case "partition":
		if err = want(2, "one layout naming every node once, e.g. partition d1,d2/d3"); err == nil {
			var comps [][]string
			if comps, err = ParsePartition(f[1]); err == nil {
				err = r.Partition(comps...)
			}
		}
	case "heal":
		if err = want(1, ""); err == nil {
			err = r.Heal()
		}
	case "hold":
		if err = want(1, ""); err == nil {
			err = r.Hold()
		}
	case "step":
		if err = want(1, ""); err == nil {
			_, err = r.Step()
		}
	case "status":
		err = want(1, "")
	default:
		err = refused("unknown command %q: want %s", f[0], Usage)
	}
	if err != nil {
		return "", err
	}
	return LayoutOf(r).String(), nil
}
