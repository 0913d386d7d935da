package wire

import "bytes"

// Name is one 32-byte NUL-padded name field: a group name, a private group
// name or a sender. It is kept as raw bytes so that a daemon can forward the
// field verbatim (bytes after the NUL included), as the real daemon does.
type Name [MaxGroupName]byte

// MakeName returns s as a NUL-padded field. s must be at most 31 bytes; longer
// input is cut so the field always holds a NUL (callers validate first).
func MakeName(s string) Name {
	var n Name
	if len(s) > MaxGroupName-1 {
		s = s[:MaxGroupName-1]
	}
	copy(n[:], s)
	return n
}

// String returns the name up to its first NUL (all 32 bytes if it has none).
func (n *Name) String() string { return string(n.Bytes()) }

// Bytes returns the name up to its first NUL, aliasing n.
func (n *Name) Bytes() []byte {
	if i := bytes.IndexByte(n[:], 0); i >= 0 {
		return n[:i]
	}
	return n[:]
}

// HasNUL reports whether the field is terminated inside its 32 bytes.
func (n *Name) HasNUL() bool { return bytes.IndexByte(n[:], 0) >= 0 }

// Equal compares two names up to their first NUL, as Spread does.
func (n *Name) Equal(o *Name) bool { return bytes.Equal(n.Bytes(), o.Bytes()) }

// LegalNameByte reports whether b may appear in a group or private name:
// 0x24 ('$') through 0x7e ('~'), the range libspread and the daemon accept.
func LegalNameByte(b byte) bool { return b >= 0x24 && b <= 0x7e }

// FirstIllegalByte returns the index of the first byte of s outside the legal
// range, or -1 when every byte is legal.
func FirstIllegalByte(s []byte) int {
	for i, b := range s {
		if !LegalNameByte(b) {
			return i
		}
	}
	return -1
}

// SplitPrivateGroup parses "#priv#proc" (docs/protocol.md §6.5 item 2, §8.1): priv 1..10 and
// proc 1..19 legal bytes. ok is false for anything else.
func SplitPrivateGroup(name []byte) (priv, proc []byte, ok bool) {
	if len(name) < 4 || name[0] != '#' {
		return nil, nil, false
	}
	rest := name[1:]
	i := bytes.IndexByte(rest, '#')
	if i < 1 || i > MaxPrivateName {
		return nil, nil, false
	}
	priv, proc = rest[:i], rest[i+1:]
	if len(proc) < 1 || len(proc) > MaxProcName-1 {
		return nil, nil, false
	}
	if FirstIllegalByte(priv) >= 0 || FirstIllegalByte(proc) >= 0 {
		return nil, nil, false
	}
	return priv, proc, true
}
