package tap

import "github.com/spgo/spgo/internal/wire"

// internMax bounds how many names a conversation remembers, so that a
// client naming ever new groups cannot grow it without end.
const internMax = 1024

// interner gives each name a conversation repeats (its senders, groups and
// members) one string, made once: a frame's names cost no allocation.
// Strings cannot change, so frames may share them.
type interner map[wire.Name]string

// name is the string of the NUL-padded name field n.
func (in *interner) name(n *wire.Name) string {
	if s, ok := (*in)[*n]; ok {
		return s
	}
	s := n.String()
	if *in == nil {
		*in = interner{}
	}
	if len(*in) < internMax {
		(*in)[*n] = s
	}
	return s
}
