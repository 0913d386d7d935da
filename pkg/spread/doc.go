// Package spread is a pure-Go client for the Spread group communication
// system: it speaks the Spread 4.4 client protocol byte for byte (real 4.4
// daemons accept it) and offers what libspread and the Python module offer,
// Go-style.
//
// # Connecting
//
// Connect takes a daemon named the way Spread names daemons: "4803" (the
// Unix socket /tmp/4803), "4803@host" (TCP), "" (the default daemon,
// "4803"), with libspread's parsing quirks (see ParseDaemonName), and
// "host:port" as an extension. Options set the private name (empty: the
// daemon invents one), the priority, whether membership messages are
// wanted (default yes), a timeout and the authentication methods (NULL by
// default; AuthMethod lets others plug in). Private names longer than 10
// bytes are refused with REJECT_ILLEGAL_NAME rather than truncated as
// libspread does, so a mailbox never runs under a name the caller did not
// choose.
//
// # Sending
//
// Join, Leave, Multicast and MulticastGroups check their input before
// anything is sent: group names are 1..31 bytes in '$'..'~' (JOIN/LEAVE
// names may not start with '#'; private group names "#name#daemon" are
// legal destinations), the service is exactly one of the six service types
// optionally with SelfDiscard, data plus 32 bytes per group is at most
// MaxMessageLen (143151, the real daemon's safe size) and a message names at
// most 43 groups (a real 4.4 daemon silently drops messages to 44..100
// groups; WithGroupLimit raises the limit for daemons that deliver them).
// Refusals are *Error values naming the value and the rule.
//
// Multicast is safe from many goroutines. It appends the whole frame to a
// buffer that a flusher goroutine writes with one syscall for many
// messages; when too much is pending Multicast blocks (back-pressure).
// Flush waits until everything is written. Join and Leave flush. A write
// error is sticky: the call that finds it and every later call return it.
//
// # Receiving
//
// Receive returns owned values: *RegularMessage, *MembershipMessage
// (cause, group, comparable GroupID, members, changed members,
// virtual-synchrony sets and which one is ours) or *RejectMessage. Buffers
// grow as needed, so BUFFER_TOO_SHORT and GROUPS_TOO_SHORT never reach the
// caller. ReceiveContext honours a context, Messages is an iter.Seq2, and
// ReceiveRaw reuses a caller's RawMessage without allocating, for hot
// loops. The mailbox reads through a 64 KiB buffer and parses many frames
// per read syscall. There is one reader; it never runs user code.
// SetReadBatch lets a throughput client be woken once per batch of bytes
// instead of once per few messages (TCP on Linux), which spares a busy
// daemon the wake-ups its sends would otherwise pay for.
//
// Poll reports the bytes receivable without blocking (buffered in the
// mailbox plus waiting on the socket), like SP_poll. SyscallConn exposes
// the socket for select-style loops (Python's fileno()).
//
// # Errors and failures
//
// Every error about Spread is an *Error with Spread's code and SP_error's
// text; the Err… sentinels work with errors.Is. When the daemon goes away,
// the call that notices and every later call return CONNECTION_CLOSED
// (libspread returns CONNECTION_CLOSED once and NET_ERROR_ON_SESSION
// afterwards; this package keeps returning CONNECTION_CLOSED, with the
// network error wrapped), except that Receive first returns the messages
// already whole in the mailbox's buffer, as libspread does. Disconnect flushes, sends KILL_MESS like
// SP_disconnect, closes the connection, unblocks a blocked Receive, and is
// idempotent; that Receive's error and every later call's match
// ErrDisconnected, whatever failed before.
//
// # Wire details
//
// The hello and the auth choice each go out in one write (the real daemon
// drops a hello split over segments), nothing is sent before the daemon's
// auth offer arrives, every name field is NUL padded, the hint is
// (msgType<<8)|marker, membership bodies are decoded in the header's byte
// order, and a REJECT_MESS's old_type is read. See docs/protocol.md §3-§14.
//
// # Deliberate differences from libspread
//
//   - Private names over 10 bytes are refused (REJECT_ILLEGAL_NAME), not
//     truncated; names with illegal bytes are refused before dialing.
//   - Multicast checks group names, a single service bit, the real
//     daemon's safe size (143151, not 144000) and at most 43 groups
//     (configurable up to 100); libspread checks only size <= 144000.
//   - After the daemon goes away every call reports CONNECTION_CLOSED
//     (never NET_ERROR_ON_SESSION); calls after Disconnect report
//     CONNECTION_CLOSED matching ErrDisconnected (libspread:
//     ILLEGAL_SESSION).
//   - Receive never returns BUFFER_TOO_SHORT/GROUPS_TOO_SHORT; membership
//     messages do not carry libspread's "own index as mess_type" (use
//     MembershipMessage.IndexOf).
//   - Poll also notices a closed connection and, once the mailbox holds
//     no bytes, returns CONNECTION_CLOSED (SP_poll returns 0).
//   - KILL_MESS carries zeros after the NUL of its group field (libspread
//     sends stack garbage there).
//
// # Names in libspread and the Python module
//
// libspread's constants are here in Go case with their C names in their
// comments: DEFAULT_SPREAD_PORT is DefaultSpreadPort, MAX_GROUP_NAME
// MaxGroupName, MAX_PRIVATE_NAME MaxPrivateName, MAX_PROC_NAME MaxProcName,
// AGREED_MESS AgreedMess, REJECT_NOT_UNIQUE RejectNotUnique. The Python
// module's names that differ:
//
//   - connect(spread_name, private_name, priority, membership): Connect
//     with WithName, WithPriority and WithMembership; SpreadError: *Error.
//   - MailboxType: Mailbox; private_group: PrivateGroup; fileno():
//     SyscallConn (see its example); poll(): Poll, which counts bytes.
//   - RegularMsgType: RegularMessage; msg_type: MsgType, endian:
//     EndianMismatch, message: Data.
//   - MembershipMsgType: MembershipMessage; reason: Cause, group_id:
//     GroupID, extra: Changed.
//   - DEFAULT_BUFFER_SIZE, DEFAULT_GROUPS_SIZE: none, buffers grow.
package spread
