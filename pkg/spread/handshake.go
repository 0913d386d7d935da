package spread

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spgo/spgo/internal/wire"
)

// maxOfferLen is the longest auth offer libspread accepts: 3 methods of up
// to 30 bytes (docs/protocol.md §4.4).
const maxOfferLen = wire.AuthSlots * wire.AuthSlotSize

// handshake runs the session establishment of docs/protocol.md §4.8 on conn and
// returns the private group name. The hello and the auth choice each go out
// in ONE write (the real daemon drops a hello that arrives in pieces) and
// nothing is sent between the hello and the daemon's offer. The context's
// deadline and cancellation bound every read and write.
func handshake(ctx context.Context, conn net.Conn, o *Options) (string, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Unix(1, 0))
		close(fired)
	})
	defer func() {
		if !stop() {
			<-fired
		}
		_ = conn.SetDeadline(time.Time{})
	}()
	h := handshaker{ctx: ctx, conn: conn}
	return h.run(o)
}

type handshaker struct {
	ctx  context.Context
	conn net.Conn
	buf  [256]byte
}

func (h *handshaker) fail(code int, detail string, err error) error {
	if err != nil {
		// Deadlines come from ctx, so a timeout is ctx's even when its
		// timer has not fired yet.
		if cerr := h.ctx.Err(); cerr != nil {
			err = fmt.Errorf("%w (%v)", cerr, err)
		} else if _, ok := h.ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("%w (%v)", context.DeadlineExceeded, err)
		}
	}
	return &Error{Code: code, Op: "connect", Detail: detail, Err: err}
}

func (h *handshaker) read(n int, what string) ([]byte, error) {
	b := h.buf[:n]
	if _, err := io.ReadFull(h.conn, b); err != nil {
		return nil, h.fail(ConnectionClosed, "reading the daemon's "+what, err)
	}
	return b, nil
}

func (h *handshaker) write(b []byte, what string) error {
	if _, err := h.conn.Write(b); err != nil {
		return h.fail(ConnectionClosed, "sending the "+what, err)
	}
	return nil
}

func (h *handshaker) run(o *Options) (string, error) {
	hello := wire.AppendHello(nil, wire.HelloFlags(o.Membership, o.Priority), o.Name)
	if err := h.write(hello, "hello"); err != nil {
		return "", err
	}
	b, err := h.read(1, "auth offer")
	if err != nil {
		return "", err
	}
	if code := int8(b[0]); code < 0 {
		return "", h.fail(int(code), refusal(int(code), o.Name), nil)
	}
	n := int(b[0])
	if n > maxOfferLen {
		return "", h.fail(ConnectionClosed, fmt.Sprintf("auth offer is %d bytes; at most %d are legal", n, maxOfferLen), nil)
	}
	list, err := h.read(n, "auth offer")
	if err != nil {
		return "", err
	}
	offered := wire.ParseAuthOffer(list)
	names := make([]string, len(o.Auth))
	for i, m := range o.Auth {
		names[i] = m.Name()
		if !slices.Contains(offered, names[i]) {
			// libspread closes without a word and reports REJECT_AUTH.
			return "", h.fail(RejectAuth, fmt.Sprintf("the daemon offers [%s]; %q is not among them",
				strings.Join(offered, " "), names[i]), nil)
		}
	}
	choice, err := wire.AppendAuthChoice(nil, names)
	if err != nil {
		return "", h.fail(RejectAuth, "building the auth choice", err)
	}
	if err := h.write(choice, "auth choice"); err != nil {
		return "", err
	}
	for _, m := range o.Auth {
		if err := m.Authenticate(h.ctx, h.conn); err != nil {
			return "", h.fail(RejectAuth, fmt.Sprintf("auth method %q", m.Name()), err)
		}
	}
	if b, err = h.read(1, "accept"); err != nil {
		return "", err
	}
	if code := int8(b[0]); code != AcceptSession {
		if code < 0 {
			return "", h.fail(int(code), refusal(int(code), o.Name), nil)
		}
		return "", h.fail(ConnectionClosed, fmt.Sprintf("accept byte is 0x%02x; want 0x01 or a negative code", b[0]), nil)
	}
	if b, err = h.read(3, "version"); err != nil {
		return "", err
	}
	v := wire.VersionNumber(b[0], b[1], b[2])
	if v < wire.MinVersion || (o.Priority > 0 && v < wire.PriorityVersion) {
		return "", h.fail(RejectVersion, fmt.Sprintf("daemon version %d.%d.%d is too old", int8(b[0]), int8(b[1]), int8(b[2])), nil)
	}
	if b, err = h.read(1, "private group length"); err != nil {
		return "", err
	}
	m := int(b[0])
	if m == 0 || m > MaxGroupName-1 {
		return "", h.fail(ConnectionClosed, fmt.Sprintf("private group name length is %d; 1..%d are legal", m, MaxGroupName-1), nil)
	}
	if b, err = h.read(m, "private group name"); err != nil {
		return "", err
	}
	if _, _, ok := wire.SplitPrivateGroup(b); !ok {
		return "", h.fail(ConnectionClosed, fmt.Sprintf("private group name %q is not \"#NAME#DAEMON\"", b), nil)
	}
	return string(b), nil
}

// refusal says why the daemon refused the session, naming the private name
// where it is the reason, and what to do about it.
func refusal(code int, name string) string {
	switch {
	case code == RejectNotUnique && name == "":
		return "the daemon refused the session: the name it invented is in use; connect again"
	case code == RejectNotUnique:
		return fmt.Sprintf("the daemon refused the session: private name %q is in use at this daemon; choose another name, or none to have the daemon invent one", name)
	case code == RejectIllegalName:
		return fmt.Sprintf("the daemon refused the session: private name %q is illegal there (up to %d bytes in '$'..'~')", name, MaxPrivateName)
	case code == RejectQuota:
		return "the daemon refused the session: it has as many sessions as it allows; try again later or raise its limit"
	}
	return "the daemon refused the session"
}
