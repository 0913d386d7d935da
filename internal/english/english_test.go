package english

import "testing"

func TestPluralAndCount(t *testing.T) {
	for _, c := range []struct {
		n           int
		plural, cnt string
	}{{0, "daemons", "0 receivers"}, {1, "daemon", "1 receiver"}, {2, "daemons", "2 receivers"}, {-1, "daemons", "-1 receivers"}} {
		if got := Plural(c.n, "daemon", "daemons"); got != c.plural {
			t.Errorf("Plural(%d) = %q, want %q", c.n, got, c.plural)
		}
		if got := Count(c.n, "receiver"); got != c.cnt {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.cnt)
		}
	}
}
