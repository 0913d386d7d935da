// Package buildinfo reports what spgo was built from: the module version
// (what `go install ...@VERSION` stamps), the VCS revision and time of a
// local build, and the Go toolchain. It reads runtime/debug's build
// information, so nothing has to be passed with -ldflags.
package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// Devel is the version of a binary without a module version: `go run`,
// `go test`, or a build outside version control.
const Devel = "devel"

// Info describes one build of spgo.
type Info struct {
	Version    string `json:"version"`     // v1.2.3, a pseudo-version, or "devel"
	Commit     string `json:"commit"`      // VCS revision, "" when unknown
	CommitTime string `json:"commit_time"` // when the revision was committed (RFC 3339), "" when unknown
	Modified   bool   `json:"modified"`    // built from a work tree with uncommitted changes
	GoVersion  string `json:"go_version"`  // e.g. go1.26.0
	Platform   string `json:"platform"`    // GOOS/GOARCH
}

// Read returns the running binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	return fromBuildInfo(bi, ok)
}

// fromBuildInfo is Read over a given build information (tests feed it
// what `go install` and `go build` stamp).
func fromBuildInfo(bi *debug.BuildInfo, ok bool) Info {
	info := Info{Version: Devel, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || bi == nil {
		return info
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.time":
			info.CommitTime = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	switch rev := pseudoRevision(info.Version); {
	case rev != "" && info.Commit != "":
		// A local build from a checkout between tags: Go 1.24+ stamps a
		// pseudo-version, which says no more than the revision and time.
		info.Version = Devel
	case info.Commit == "":
		// A module download (go install ...@v1.2.3) has no vcs settings; a
		// pseudo-version still names its revision.
		info.Commit = rev
	}
	return info
}

// pseudoRevision returns the 12-digit revision at the end of a Go
// pseudo-version (v0.0.0-20261203061234-6a2520f1a2b3), "" for a release.
func pseudoRevision(v string) string {
	v, _, _ = strings.Cut(v, "+")
	i := strings.LastIndexByte(v, '-')
	if i < 0 || len(v)-i-1 != 12 {
		return ""
	}
	rev := v[i+1:]
	for _, c := range rev {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return ""
		}
	}
	// A pseudo-version's middle part is a 14-digit timestamp.
	rest := v[:i]
	j := strings.LastIndexAny(rest, "-.")
	if j < 0 || len(rest)-j-1 < 14 {
		return ""
	}
	return rev
}

// Short is the version with the revision of a devel build, for one-line
// use (logs, a User-Agent-like field): "v1.2.3", "devel (6a2520f1a2b3)".
func (i Info) Short() string {
	if i.Version != Devel || i.Commit == "" {
		return i.Version
	}
	c := i.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	if i.Modified {
		c += ", modified"
	}
	return i.Version + " (" + c + ")"
}
