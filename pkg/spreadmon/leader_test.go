package spreadmon_test

import (
	"testing"

	"github.com/spgo/spgo/pkg/spreadmon"
)

// TestLeaderName: the leader is named by the one target at its address,
// else by its address.
func TestLeaderName(t *testing.T) {
	leader := &spreadmon.Status{LeaderID: 0x7f000001} // 127.0.0.1
	d1, d2 := target("d1", "127.0.0.1:4803"), target("d2", "127.0.0.2:4803")
	for _, c := range []struct {
		targets []spreadmon.Target
		want    string
	}{
		{[]spreadmon.Target{d2, d1}, "d1"},
		{[]spreadmon.Target{d1, target("d1", "127.0.0.1:4804")}, "d1"},
		{[]spreadmon.Target{d1, target("d9", "127.0.0.1:4804")}, "127.0.0.1"},
		{[]spreadmon.Target{d2}, "127.0.0.1"},
		{nil, "127.0.0.1"},
	} {
		if got := spreadmon.LeaderName(leader, c.targets); got != c.want {
			t.Errorf("targets %v: %q, want %q", c.targets, got, c.want)
		}
	}
}
