package cli

import (
	"strings"
	"testing"

	"github.com/spgo/spgo/internal/buildinfo"
)

// The time Go stamps (vcs.time) is the commit's, not the build's: the
// report says so. Regression: it was labelled "built:".
func TestVersionTextNamesTheCommitTime(t *testing.T) {
	r := versionReport{Info: buildinfo.Info{Version: buildinfo.Devel, Commit: "52a6b959e301",
		CommitTime: "2026-12-03T06:30:54Z", GoVersion: "go1.26.0", Platform: "linux/amd64"}, Protocol: "4.4.0"}
	want := "spgo devel\n  commit:    52a6b959e301\n  committed: 2026-12-03T06:30:54Z\n" +
		"  go:        go1.26.0 linux/amd64\n  protocol:  Spread 4.4.0\n"
	if got := r.text(); got != want {
		t.Errorf("text:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(r.text(), "built") {
		t.Error("the commit time is shown as a build time")
	}
}
