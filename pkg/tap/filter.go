package tap

import (
	"slices"
	"strings"
)

// filter is what Config.Sessions and Config.Groups select.
type filter struct {
	sessions []string
	groups   []string
}

// session reports whether the session named name (a private name, a
// private group, or "" when not yet known) is selected.
func (fl *filter) session(name string) bool {
	if len(fl.sessions) == 0 {
		return true
	}
	if name == "" {
		return false
	}
	private := name
	if strings.HasPrefix(name, "#") {
		private, _, _ = strings.Cut(name[1:], "#")
	}
	return slices.Contains(fl.sessions, name) || slices.Contains(fl.sessions, private)
}

// frame reports whether f is selected: its session is, and with groups
// named, it is a message that names one of them.
func (fl *filter) frame(f *Frame) bool {
	if !fl.session(f.Session) {
		return false
	}
	if len(fl.groups) == 0 {
		return true
	}
	for _, g := range fl.groups {
		if f.Sender == g || f.Group == g || slices.Contains(f.Groups, g) || slices.Contains(f.Members, g) {
			return true
		}
	}
	return false
}
