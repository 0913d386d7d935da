package tap

import "github.com/spgo/spgo/internal/wire"

// internMax bounds how many names a conversation remembers, so that a
// client naming ever new groups cannot grow it without end.
const internMax = 1024

// interner gives each name a conversation repeats (its senders, groups and
// members) one string, made once: a frame's names cost no allocation.
// Strings cannot change, so frames may share them. The names met last are
// looked at before the map: a stream mostly repeats its last sender and
// group.
type interner struct {
	names  map[wire.Name]string
	recent [4]internedName
	next   int // the recent entry to replace next
}

type internedName struct {
	n wire.Name
	s string
}

// name is the string of the NUL-padded name field n.
func (in *interner) name(n *wire.Name) string {
	for i := range in.recent {
		if r := &in.recent[i]; r.n == *n && r.s != "" {
			return r.s
		}
	}
	s, ok := in.names[*n]
	if !ok {
		s = n.String()
		if in.names == nil {
			in.names = map[wire.Name]string{}
		}
		if len(in.names) < internMax {
			in.names[*n] = s
		}
	}
	in.recent[in.next] = internedName{*n, s}
	in.next = (in.next + 1) % len(in.recent)
	return s
}
