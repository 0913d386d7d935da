package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		want Info
	}{
		{"no build info", nil, Info{Version: Devel}},
		{"go install @v1.2.3", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"}},
			Info{Version: "v1.2.3", GoVersion: "go1.26.0"}},
		{"go install of a pseudo-version", &debug.BuildInfo{GoVersion: "go1.26.0",
			Main: debug.Module{Version: "v0.0.0-20261203061234-6a2520f1a2b3"}},
			Info{Version: "v0.0.0-20261203061234-6a2520f1a2b3", Commit: "6a2520f1a2b3", GoVersion: "go1.26.0"}},
		{"local build from a dirty tree", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "6a2520f1a2b3c4d5e6f708192a3b4c5d6e7f8091"},
				{Key: "vcs.time", Value: "2026-12-03T06:00:00Z"},
				{Key: "vcs.modified", Value: "true"},
			}},
			Info{Version: Devel, Commit: "6a2520f1a2b3c4d5e6f708192a3b4c5d6e7f8091", CommitTime: "2026-12-03T06:00:00Z",
				Modified: true, GoVersion: "go1.26.0"}},
		{"local build between tags (Go 1.24+)", &debug.BuildInfo{GoVersion: "go1.26.0",
			Main: debug.Module{Version: "v0.0.0-20261203063054-52a6b959e301+dirty"},
			Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "52a6b959e301e0a5d1ffd72b2febfd8502570914"},
				{Key: "vcs.time", Value: "2026-12-03T06:30:54Z"},
				{Key: "vcs.modified", Value: "true"},
			}},
			Info{Version: Devel, Commit: "52a6b959e301e0a5d1ffd72b2febfd8502570914", CommitTime: "2026-12-03T06:30:54Z",
				Modified: true, GoVersion: "go1.26.0"}},
		{"local build on a tag", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "52a6b959e301e0a5d1ffd72b2febfd8502570914"}}},
			Info{Version: "v1.2.3", Commit: "52a6b959e301e0a5d1ffd72b2febfd8502570914", GoVersion: "go1.26.0"}},
	}
	for _, c := range cases {
		got := fromBuildInfo(c.bi, c.bi != nil)
		c.want.Platform = got.Platform
		if c.want.GoVersion == "" {
			c.want.GoVersion = got.GoVersion
		}
		if got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestShort(t *testing.T) {
	if s := (Info{Version: "v1.2.3", Commit: "abc"}).Short(); s != "v1.2.3" {
		t.Errorf("release: %q", s)
	}
	i := Info{Version: Devel, Commit: "6a2520f1a2b3c4d5e6f708192a3b4c5d6e7f8091", Modified: true}
	if s := i.Short(); s != "devel (6a2520f1a2b3, modified)" {
		t.Errorf("devel: %q", s)
	}
}

func TestPseudoRevision(t *testing.T) {
	for v, want := range map[string]string{
		"v1.2.3":                             "",
		"v1.2.3-rc.1":                        "",
		"v0.0.0-20261203061234-6a2520f1a2b3": "6a2520f1a2b3",
		"v0.0.0-20261203061234-6a2520f1a2b3+dirty": "6a2520f1a2b3",
		"v1.2.4-0.20261203061234-6a2520f1a2b3":     "6a2520f1a2b3",
		"v1.0.0-abcdefabcdef":                      "",
	} {
		if got := pseudoRevision(v); got != want {
			t.Errorf("pseudoRevision(%q) = %q, want %q", v, got, want)
		}
	}
}
