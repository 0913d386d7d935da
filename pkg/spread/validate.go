package spread

import (
	"fmt"

	"github.com/spgo/spgo/internal/wire"
)

// Every check here runs before anything is written, so a refused request
// leaves the connection untouched (docs/protocol.md §8.2, §9, §14).

const legalNameBytes = "bytes '$'..'~' (0x24..0x7e)"

// checkPrivateName refuses private names the daemon would reject (-5):
// more than 10 bytes or bytes outside '$'..'~'. libspread silently
// truncates long names; refusing avoids connecting under a name the caller
// did not ask for.
func checkPrivateName(name string) error {
	if len(name) > MaxPrivateName {
		return &Error{Code: RejectIllegalName, Op: "connect", Detail: fmt.Sprintf(
			"private name %q is %d bytes; at most %d %s are allowed (empty: the daemon makes one up)",
			name, len(name), MaxPrivateName, legalNameBytes)}
	}
	if i := wire.FirstIllegalByte([]byte(name)); i >= 0 {
		return &Error{Code: RejectIllegalName, Op: "connect", Detail: fmt.Sprintf(
			"private name %q has byte 0x%02x at %d; only %s are allowed", name, name[i], i, legalNameBytes)}
	}
	return nil
}

// checkMemberGroup is libspread's check for JOIN and LEAVE: 1..31 legal
// bytes, which also rules out a leading '#' (private groups cannot be
// joined).
func checkMemberGroup(op, group string) error {
	if len(group) == 0 || len(group) > MaxGroupName-1 {
		return &Error{Code: IllegalGroup, Op: op, Detail: fmt.Sprintf(
			"group name %q is %d bytes; 1..%d %s are allowed", group, len(group), MaxGroupName-1, legalNameBytes)}
	}
	if i := wire.FirstIllegalByte([]byte(group)); i >= 0 {
		what := fmt.Sprintf("byte 0x%02x at %d", group[i], i)
		if i == 0 && group[0] == '#' {
			what = "a leading '#' (private groups cannot be joined or left)"
		}
		return &Error{Code: IllegalGroup, Op: op, Detail: fmt.Sprintf(
			"group name %q has %s; only %s are allowed", group, what, legalNameBytes)}
	}
	return nil
}

// checkDestination checks one multicast destination: a group name as for
// JOIN, or a private group name "#priv#daemon".
func checkDestination(group string) error {
	if len(group) > 0 && group[0] == '#' {
		if len(group) > MaxGroupName-1 {
			return &Error{Code: IllegalGroup, Op: "multicast", Detail: fmt.Sprintf(
				"private group name %q is %d bytes; at most %d are allowed", group, len(group), MaxGroupName-1)}
		}
		if _, _, ok := wire.SplitPrivateGroup([]byte(group)); !ok {
			return &Error{Code: IllegalGroup, Op: "multicast", Detail: fmt.Sprintf(
				"private group name %q is not \"#NAME#DAEMON\" with NAME 1..%d and DAEMON 1..%d %s",
				group, MaxPrivateName, MaxProcName-1, legalNameBytes)}
		}
		return nil
	}
	return checkMemberGroup("multicast", group)
}

// checkService accepts exactly one of the six service bits, optionally
// with SELF_DISCARD: the daemon kills a session for anything else.
func checkService(s ServiceType) error {
	svc := s & RegularMess
	if svc == 0 || svc&(svc-1) != 0 || s&^(RegularMess|SelfDiscard) != 0 {
		return &Error{Code: IllegalService, Op: "multicast", Detail: fmt.Sprintf(
			"service %s (0x%x); want exactly one of UNRELIABLE, RELIABLE, FIFO, CAUSAL, AGREED, SAFE, optionally |SELF_DISCARD",
			s, uint32(s))}
	}
	return nil
}

// checkSize enforces the real daemon's safe size and group count.
func checkSize(numGroups, dataLen, groupLimit int) error {
	if numGroups > groupLimit {
		why := fmt.Sprintf("%d groups in one message; at most %d are allowed", numGroups, groupLimit)
		if groupLimit == MaxGroups {
			why += " (a real Spread 4.4 daemon silently drops messages to 44..100 groups, docs/protocol.md §9.2; WithGroupLimit raises this for daemons that deliver them)"
		}
		return &Error{Code: IllegalMessage, Op: "multicast", Detail: why}
	}
	if s := dataLen + MaxGroupName*numGroups; s > MaxMessageLen {
		return &Error{Code: MessageTooLong, Op: "multicast", Detail: fmt.Sprintf(
			"%d data bytes + 32*%d groups = %d; at most %d are allowed (the real 4.4 daemon's safe limit, docs/protocol.md §9.1)",
			dataLen, numGroups, s, MaxMessageLen)}
	}
	return nil
}

// IllegalNameByte returns the index of the first byte of name that Spread
// refuses in a group or private name, or -1 when every byte is allowed:
// allowed are '$'..'~' (0x24..0x7e).
func IllegalNameByte(name string) int { return wire.FirstIllegalByte([]byte(name)) }

// IsPrivateGroupName reports whether name has the form "#NAME#DAEMON" of a
// private group: NAME 1..MaxPrivateName and DAEMON 1..MaxProcName-1
// allowed bytes.
func IsPrivateGroupName(name string) bool {
	_, _, ok := wire.SplitPrivateGroup([]byte(name))
	return ok
}
