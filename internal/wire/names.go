package wire

import (
	"bytes"
	"fmt"
	"strconv"
)

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

// NameError says which of Spread's name rules a name breaks (docs/protocol.md
// §8): its length, a byte outside 0x24..0x7e, or, for a private group, its
// form. The message is the one every layer shows.
type NameError struct {
	What  string // "group name", "private group", "private name"
	Name  string
	Min   int // allowed length range
	Max   int
	Index int  // offset of the first illegal byte, -1 when the length or form is wrong
	Form  bool // a private group not of the form #NAME#DAEMON
}

func (e *NameError) Error() string {
	switch {
	case e.Form:
		return fmt.Sprintf("%s %q is not of the form #NAME#DAEMON (NAME 1..%d and DAEMON 1..%d bytes 0x24..0x7e)",
			e.What, e.Name, MaxPrivateName, MaxProcName-1)
	case e.Index == 0 && e.Name[0] == '#' && e.What == "group name":
		return fmt.Sprintf("%s %q has a leading '#': private groups cannot be joined or left; %s", e.What, e.Name, legalBytes)
	case e.Index >= 0:
		return fmt.Sprintf("%s %q has byte %s at offset %d: %s", e.What, e.Name, showByte(e.Name[e.Index]), e.Index, legalBytes)
	case e.What == "private name":
		return fmt.Sprintf("%s %q is %d bytes: allowed up to %d (or empty for a daemon-assigned name)", e.What, e.Name, len(e.Name), e.Max)
	case e.Min == 0:
		return fmt.Sprintf("%s %q is %d bytes: allowed up to %d", e.What, e.Name, len(e.Name), e.Max)
	default:
		return fmt.Sprintf("%s %q is %d bytes: allowed %d..%d", e.What, e.Name, len(e.Name), e.Min, e.Max)
	}
}

// legalBytes says what LegalNameByte allows: the printable ASCII range
// from '$', which leaves out space, '!', '"' and '#'.
const legalBytes = `allowed are '$'..'~' (0x24..0x7e: printable ASCII except space, '!', '"' and '#')`

// showByte shows a byte as the user typed it where that is readable.
func showByte(b byte) string {
	if b >= 0x20 && b < 0x7f {
		return fmt.Sprintf("%s (0x%02x)", strconv.QuoteRune(rune(b)), b)
	}
	return fmt.Sprintf("0x%02x", b)
}

// CheckGroupName applies the rule for a group one joins, leaves or sends
// to: 1..31 legal bytes. '#' is not legal, so private groups cannot be
// joined. It returns nil or a *NameError.
func CheckGroupName(name []byte) error {
	return checkName("group name", name, 1, MaxGroupName-1)
}

// CheckDestination applies the rule for one destination of a message: a
// group name, or a private group "#NAME#DAEMON" of at most 31 bytes.
func CheckDestination(name []byte) error {
	if len(name) == 0 || name[0] != '#' {
		return CheckGroupName(name)
	}
	if len(name) > MaxGroupName-1 {
		return &NameError{What: "private group", Name: string(name), Max: MaxGroupName - 1, Index: -1}
	}
	if _, _, ok := SplitPrivateGroup(name); !ok {
		return &NameError{What: "private group", Name: string(name), Index: -1, Form: true}
	}
	return nil
}

// CheckPrivateName applies the rule for the private name a client connects
// with: up to 10 legal bytes; empty asks the daemon to make one up.
func CheckPrivateName(name []byte) error {
	return checkName("private name", name, 0, MaxPrivateName)
}

// CheckDaemonName applies the rule for a daemon's name, which ends every
// private group name: 1..19 legal bytes.
func CheckDaemonName(name []byte) error {
	return checkName("daemon name", name, 1, MaxProcName-1)
}

func checkName(what string, name []byte, minLen, maxLen int) error {
	if len(name) < minLen || len(name) > maxLen {
		return &NameError{What: what, Name: string(name), Min: minLen, Max: maxLen, Index: -1}
	}
	if i := FirstIllegalByte(name); i >= 0 {
		return &NameError{What: what, Name: string(name), Min: minLen, Max: maxLen, Index: i}
	}
	return nil
}
