package spread

import (
	"fmt"

	"github.com/spgo/spgo/internal/wire"
)

// Every check here runs before anything is written, so a refused request
// leaves the connection untouched (docs/protocol.md §8.2, §9, §14).

// checkMemberGroup is libspread's check for JOIN and LEAVE.
func checkMemberGroup(op, group string) error {
	return nameError(IllegalGroup, op, wire.CheckGroupName([]byte(group)))
}

func nameError(code int, op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Op: op, Detail: err.Error()}
}

// CheckGroupName reports whether Spread accepts name as a group to join or
// leave: 1..MaxGroupName-1 bytes in '$'..'~' (0x24..0x7e), so no space and
// no leading '#' (private groups cannot be joined). It returns nil or an
// *Error with Code IllegalGroup whose Detail says what is wrong and what is
// allowed, the check Join and Leave make before sending.
func CheckGroupName(name string) error { return checkMemberGroup("join", name) }

// CheckDestination reports whether Spread accepts name as a destination of
// Multicast: a group name as CheckGroupName allows, or a private group
// "#NAME#DAEMON" (NAME 1..MaxPrivateName, DAEMON 1..MaxProcName-1 bytes).
// It returns nil or an *Error with Code IllegalGroup, the check Multicast
// and MulticastGroups make before sending.
func CheckDestination(name string) error {
	return nameError(IllegalGroup, "multicast", wire.CheckDestination([]byte(name)))
}

// CheckPrivateName reports whether Spread accepts name as the private name
// of a connection (WithName): up to MaxPrivateName bytes in '$'..'~'; empty
// lets the daemon make one up. It returns nil or an *Error with Code
// RejectIllegalName, the daemon's answer to such a name, which Connect gives
// without connecting. (libspread silently truncates a long name; refusing
// avoids connecting under a name the caller did not ask for.)
func CheckPrivateName(name string) error {
	return nameError(RejectIllegalName, "connect", wire.CheckPrivateName([]byte(name)))
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

// MaxData is the most data a message to groups groups may carry:
// MaxMessageLen less MaxGroupName bytes per group; less than 0 when the
// group names alone are over the limit.
func MaxData(groups int) int { return MaxMessageLen - MaxGroupName*groups }

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

// IsPrivateGroupName reports whether name has the form "#NAME#DAEMON" of a
// private group: NAME 1..MaxPrivateName and DAEMON 1..MaxProcName-1
// allowed bytes.
func IsPrivateGroupName(name string) bool {
	_, _, ok := wire.SplitPrivateGroup([]byte(name))
	return ok
}
