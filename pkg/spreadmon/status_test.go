package spreadmon_test

import (
	"slices"
	"testing"

	"github.com/spgo/spgo/pkg/spreadmon"
)

func TestStatusFields(t *testing.T) {
	s := spreadmon.Status{Sec: 42, State: 1, GState: 1, NumProcs: 3, NumSegments: 1, NumSessions: 7, NumGroups: 2,
		LeaderID: 0x0a000102, MyID: 0x7f000001, Retrans: 9, MajorVersion: 4, MinorVersion: 4, PatchVersion: 1}
	for name, want := range map[string]int64{"sec": 42, "num_procs": 3, "retrans": 9, "leader_id": 0x0a000102, "patch_version": 1} {
		if got, ok := s.Field(name); !ok || got != want {
			t.Errorf("Field(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	if _, ok := s.Field("nope"); ok {
		t.Error("an unknown field was found")
	}
	if names := spreadmon.FieldNames(); len(names) != 30 || names[0] != "sec" || names[29] != "patch_version" || !slices.Contains(names, "num_procs") {
		t.Errorf("field names %q", names)
	}
	if s.Version() != "4.4.1" || s.Leader().String() != "10.0.1.2" || spreadmon.AddrOf(s.MyID).String() != "127.0.0.1" ||
		spreadmon.AddrString(s.LeaderID) != "10.0.1.2" {
		t.Errorf("version %s, leader %s", s.Version(), s.Leader())
	}
	if got := s.String(); got != "OP/GOP up 42s procs 3 segments 1 sessions 7 groups 2" {
		t.Errorf("String() = %q", got)
	}
	if spreadmon.StateName(4) != "GATHER" || spreadmon.GStateName(2) != "GTRANS" || spreadmon.StateName(9) != "state 9" {
		t.Error("state names")
	}
}
