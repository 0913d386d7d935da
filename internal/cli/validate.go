package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spgo/spgo/internal/english"
	"github.com/spgo/spgo/pkg/spread"
)

// Limits the CLI checks before anything is sent, so the user gets an error
// naming the limit rather than a dead session.
const (
	// maxGroups is the most groups a real Spread 4.4 daemon delivers a
	// message to (docs/protocol.md §9.2); pkg/spread refuses more by default.
	maxGroups = spread.MaxGroups
	// maxMessageLen is the real daemon's safe limit on data + 32 bytes per
	// group (docs/protocol.md §9.1), as pkg/spread enforces it.
	maxMessageLen = spread.MaxMessageLen
)

// checkJoinGroup applies Spread's rule for names one joins or leaves
// (spread.CheckGroupName).
func checkJoinGroup(g string) error { return detail(spread.CheckGroupName(g)) }

// checkSendGroup allows what checkJoinGroup allows plus private groups
// ("#name#daemon"), which address one session (spread.CheckDestination).
func checkSendGroup(g string) error { return detail(spread.CheckDestination(g)) }

// detail turns a *spread.Error from a check into a plain error with its
// detail alone: the user needs what is wrong, not Spread's error code.
func detail(err error) error {
	var se *spread.Error
	if errors.As(err, &se) && se.Detail != "" {
		return errors.New(se.Detail)
	}
	return err
}

func checkGroups(groups []string, check func(string) error) error {
	if len(groups) > maxGroups {
		return fmt.Errorf("%d groups: at most %d per message", len(groups), maxGroups)
	}
	for _, g := range groups {
		if err := check(g); err != nil {
			return err
		}
	}
	return nil
}

// checkUser checks a private name given with -u: 0 (daemon-assigned) or
// 1..10 bytes of 0x24..0x7e (spread.CheckPrivateName).
func checkUser(u string) error { return detail(spread.CheckPrivateName(u)) }

// checkMessageSize enforces the limit on data + 32 bytes per group.
func checkMessageSize(size, groups int) error {
	if size+spread.MaxGroupName*groups > maxMessageLen {
		return messageTooLong(size, groups, false)
	}
	return nil
}

// messageTooLong is the one error for a message over the limit, whatever
// its source. A stream is not read past the limit, so its size is only
// known to be more than size (moreThan).
func messageTooLong(size, groups int, moreThan bool) error {
	of, rel := "", "="
	if moreThan {
		of, rel = "more than ", ">"
	}
	return fmt.Errorf("message of %s%d bytes to %d %s is too long: data + 32 per group %s %d, allowed up to %d",
		of, size, groups, english.Plural(groups, "group", "groups"), rel, size+spread.MaxGroupName*groups, maxMessageLen)
}

// Service types by name, as --service and the shell accept them.
var serviceNames = spread.ServiceNames()

// parseMsgType accepts a 16-bit message type, signed or unsigned
// (-32768..65535), as Spread carries it in 16 bits.
func parseMsgType(s string) (int16, error) {
	n, err := strconv.ParseInt(s, 0, 32)
	if err != nil || n < -32768 || n > 65535 {
		return 0, fmt.Errorf("message type %q: allowed is a 16-bit number, -32768..65535", s)
	}
	return int16(uint16(n)), nil
}
