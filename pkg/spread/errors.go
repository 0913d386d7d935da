package spread

import (
	"strconv"
	"strings"
)

// Spread's return and error codes, with the C API's values (docs/protocol.md §2.2).
const (
	AcceptSession     = 1   // ACCEPT_SESSION
	IllegalSpread     = -1  // ILLEGAL_SPREAD
	CouldNotConnect   = -2  // COULD_NOT_CONNECT
	RejectQuota       = -3  // REJECT_QUOTA
	RejectNoName      = -4  // REJECT_NO_NAME
	RejectIllegalName = -5  // REJECT_ILLEGAL_NAME
	RejectNotUnique   = -6  // REJECT_NOT_UNIQUE
	RejectVersion     = -7  // REJECT_VERSION
	ConnectionClosed  = -8  // CONNECTION_CLOSED
	RejectAuth        = -9  // REJECT_AUTH
	IllegalSession    = -11 // ILLEGAL_SESSION
	IllegalService    = -12 // ILLEGAL_SERVICE
	IllegalMessage    = -13 // ILLEGAL_MESSAGE
	IllegalGroup      = -14 // ILLEGAL_GROUP
	BufferTooShort    = -15 // BUFFER_TOO_SHORT (never returned by this package: buffers grow)
	GroupsTooShort    = -16 // GROUPS_TOO_SHORT (never returned by this package)
	MessageTooLong    = -17 // MESSAGE_TOO_LONG
	NetErrorOnSession = -18 // NET_ERROR_ON_SESSION
	SPBug             = -19 // SP_BUG
)

var errorTexts = map[int]string{
	IllegalSpread:     "Illegal spread was provided",
	CouldNotConnect:   "Could not connect. Is Spread running?",
	RejectQuota:       "Connection rejected, too many users",
	RejectNoName:      "Connection rejected, no name was supplied",
	RejectIllegalName: "Connection rejected, illegal name",
	RejectNotUnique:   "Connection rejected, name not unique",
	RejectVersion:     "Connection rejected, library does not fit daemon",
	ConnectionClosed:  "Connection closed by spread",
	RejectAuth:        "Connection rejected, authentication failed",
	IllegalSession:    "Illegal session was supplied",
	IllegalService:    "Illegal service request",
	IllegalMessage:    "Illegal message",
	IllegalGroup:      "Illegal group",
	BufferTooShort:    "The supplied buffer was too short",
	GroupsTooShort:    "The supplied groups list was too short",
	MessageTooLong:    "The message body + group names was too large to fit in a message",
	NetErrorOnSession: "The network socket experienced an error. This Spread mailbox will no longer work until the connection is disconnected and then reconnected",
	SPBug:             "Internal spread bug detected!",
}

// ErrorText returns the text libspread's SP_error prints for code
// ("unrecognized error" for codes it has no case for, ACCEPT_SESSION
// included).
func ErrorText(code int) string {
	if t, ok := errorTexts[code]; ok {
		return t
	}
	return "unrecognized error"
}

// Error is every error this package returns about Spread: the Spread code
// with its SP_error text, what was being done, the daemon, a detail naming the
// offending value and the rule, and the underlying cause (a network error,
// a context error or a frame error) for errors.Unwrap. It is the Python
// module's SpreadError.
type Error struct {
	Code   int    // a Spread error code (IllegalSpread ... SPBug)
	Op     string // "connect", "join", "leave", "multicast", "receive", "poll", "flush"
	Daemon string // the daemon name as given to Connect ("" for sentinels)
	Detail string // what exactly was wrong, naming the value and what is legal
	Err    error  // underlying cause, may be nil

	disconnected bool // the mailbox was closed by Disconnect
}

// Error renders one line: "spread: <op> <daemon>: <SP_error text> (<code>): <detail>: <cause>".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("spread: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		if e.Daemon != "" {
			b.WriteString(" ")
			b.WriteString(strconv.Quote(e.Daemon))
		}
		b.WriteString(": ")
	}
	b.WriteString(ErrorText(e.Code))
	b.WriteString(" (")
	b.WriteString(strconv.Itoa(e.Code))
	b.WriteString(")")
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Text is the text SP_error prints for the code.
func (e *Error) Text() string { return ErrorText(e.Code) }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrX) true for every *Error with ErrX's code, and
// errors.Is(err, ErrDisconnected) true for calls on a disconnected mailbox.
// A target that holds a Code and nothing else, as the ErrX variables do,
// matches by code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t == ErrDisconnected {
		return e.disconnected
	}
	return t.Op == "" && t.Daemon == "" && t.Detail == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels for errors.Is, one per Spread error code.
var (
	ErrIllegalSpread     = &Error{Code: IllegalSpread}
	ErrCouldNotConnect   = &Error{Code: CouldNotConnect}
	ErrRejectQuota       = &Error{Code: RejectQuota}
	ErrRejectNoName      = &Error{Code: RejectNoName}
	ErrRejectIllegalName = &Error{Code: RejectIllegalName}
	ErrRejectNotUnique   = &Error{Code: RejectNotUnique}
	ErrRejectVersion     = &Error{Code: RejectVersion}
	ErrConnectionClosed  = &Error{Code: ConnectionClosed}
	ErrRejectAuth        = &Error{Code: RejectAuth}
	ErrIllegalSession    = &Error{Code: IllegalSession}
	ErrIllegalService    = &Error{Code: IllegalService}
	ErrIllegalMessage    = &Error{Code: IllegalMessage}
	ErrIllegalGroup      = &Error{Code: IllegalGroup}
	ErrBufferTooShort    = &Error{Code: BufferTooShort}
	ErrGroupsTooShort    = &Error{Code: GroupsTooShort}
	ErrMessageTooLong    = &Error{Code: MessageTooLong}
	ErrNetErrorOnSession = &Error{Code: NetErrorOnSession}
	ErrSPBug             = &Error{Code: SPBug}

	// ErrDisconnected matches the errors of calls made on (or blocked in) a
	// mailbox after Disconnect. Those errors carry CONNECTION_CLOSED, so
	// errors.Is(err, ErrConnectionClosed) is true for them as well.
	ErrDisconnected = &Error{Code: ConnectionClosed, Detail: "mailbox disconnected"}
)
