package daemon

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/internal/wire/wiretest"
)

// rawClient is a wire-level Spread client for tests and benchmarks: it
// speaks the protocol with internal/wire only, like libspread would.
type rawClient struct {
	t      testing.TB
	c      net.Conn
	r      *bufio.Reader
	w      *bufio.Writer
	pgroup string
	sender wire.Name
	hdr    []byte
}

const clientTimeout = 10 * time.Second

// dialRaw connects over network/addr and completes the handshake.
func dialRaw(t testing.TB, network, addr, name string, membership bool) *rawClient {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatalf("dial %s %s: %v", network, addr, err)
	}
	return handshakeRaw(t, c, name, membership)
}

// connect dials the daemon's TCP listener.
func connect(t testing.TB, d *Daemon, name string, membership bool) *rawClient {
	t.Helper()
	return dialRaw(t, "tcp", d.TCPAddr().String(), name, membership)
}

func handshakeRaw(t testing.TB, c net.Conn, name string, membership bool) *rawClient {
	t.Helper()
	cl, err := tryHandshake(c, name, membership)
	if err != nil {
		c.Close()
		t.Fatalf("connect %q: %v", name, err)
	}
	cl.t = t
	t.Cleanup(func() { c.Close() })
	return cl
}

// tryHandshake runs the client side of docs/protocol.md §4.8; a reject code is an error
// "reject 0xNN".
func tryHandshake(c net.Conn, name string, membership bool) (*rawClient, error) {
	c.SetDeadline(time.Now().Add(clientTimeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(wire.AppendHello(nil, wire.HelloFlags(membership, 0), name)); err != nil {
		return nil, err
	}
	r := bufio.NewReaderSize(c, 4<<10)
	l, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	if l >= 0x80 {
		return nil, fmt.Errorf("reject 0x%02x", l)
	}
	if _, err := io.ReadFull(r, make([]byte, l)); err != nil {
		return nil, err
	}
	choice, _ := wire.AppendAuthChoice(nil, []string{"NULL"})
	if _, err := c.Write(choice); err != nil {
		return nil, err
	}
	acc := make([]byte, 5)
	if _, err := io.ReadFull(r, acc); err != nil {
		return nil, err
	}
	if acc[0] != 1 {
		return nil, fmt.Errorf("reject 0x%02x", acc[0])
	}
	pg := make([]byte, acc[4])
	if _, err := io.ReadFull(r, pg); err != nil {
		return nil, err
	}
	return &rawClient{c: c, r: r, w: bufio.NewWriterSize(c, 4<<10), pgroup: string(pg), sender: wire.MakeName(string(pg))}, nil
}

// appendMsg appends one client frame (little-endian, like libspread on x86).
func (cl *rawClient) appendMsg(dst []byte, typ uint32, groups []string, messType int16, data []byte) []byte {
	h := wire.Header{Type: typ, Sender: cl.sender, NumGroups: int32(len(groups)), Hint: wire.MakeHint(messType), DataLen: int32(len(data))}
	dst = wire.AppendHeader(dst, &h)
	for _, g := range groups {
		n := wire.MakeName(g)
		dst = append(dst, n[:]...)
	}
	return append(dst, data...)
}

func (cl *rawClient) send(typ uint32, groups []string, messType int16, data []byte) {
	cl.t.Helper()
	cl.hdr = cl.appendMsg(cl.hdr[:0], typ, groups, messType, data)
	if _, err := cl.w.Write(cl.hdr); err != nil {
		cl.t.Fatalf("%s: send: %v", cl.pgroup, err)
	}
	if err := cl.w.Flush(); err != nil {
		cl.t.Fatalf("%s: send: %v", cl.pgroup, err)
	}
}

func (cl *rawClient) writeRaw(b []byte) error {
	cl.c.SetWriteDeadline(time.Now().Add(clientTimeout))
	_, err := cl.c.Write(b)
	return err
}

func (cl *rawClient) join(g string)  { cl.send(wire.JoinMess, []string{g}, 0, nil) }
func (cl *rawClient) leave(g string) { cl.send(wire.LeaveMess, []string{g}, 0, nil) }
func (cl *rawClient) kill()          { cl.send(wire.KillMess, []string{cl.pgroup}, 0, nil) }

// msg is a received frame with owned data.
type msg struct {
	raw []byte
	wiretest.Message
}

func (m *msg) groupNames() []string {
	var out []string
	for i := range m.Groups {
		out = append(out, m.Groups[i].String())
	}
	return out
}

// recv reads one frame.
func (cl *rawClient) recv() msg {
	cl.t.Helper()
	m, err := cl.tryRecv(clientTimeout)
	if err != nil {
		cl.t.Fatalf("%s: receive: %v", cl.pgroup, err)
	}
	return m
}

func (cl *rawClient) tryRecv(timeout time.Duration) (msg, error) {
	cl.c.SetReadDeadline(time.Now().Add(timeout))
	defer cl.c.SetReadDeadline(time.Time{})
	hdr := make([]byte, wire.HeaderSize)
	if _, err := io.ReadFull(cl.r, hdr); err != nil {
		return msg{}, err
	}
	h, err := wire.DecodeHeader(hdr)
	if err != nil {
		return msg{}, err
	}
	rest, err := h.CheckLengths(wire.ClientReadLimits)
	if err != nil {
		return msg{}, err
	}
	raw := append(hdr, make([]byte, rest)...)
	if _, err := io.ReadFull(cl.r, raw[wire.HeaderSize:]); err != nil {
		return msg{}, err
	}
	m, _, err := wiretest.Decode(raw, wire.ClientReadLimits)
	return msg{raw: raw, Message: m}, err
}

// expectMembership reads one REG_MEMB_MESS and checks cause, group and
// members.
func (cl *rawClient) expectMembership(cause uint32, group string, members ...string) msg {
	cl.t.Helper()
	m := cl.recv()
	if m.Type != wire.RegMembMess|cause || m.Sender.String() != group {
		cl.t.Fatalf("%s: got type 0x%x group %q, want membership 0x%x for %q", cl.pgroup, m.Type, m.Sender.String(), wire.RegMembMess|cause, group)
	}
	if got := fmt.Sprint(m.groupNames()); got != fmt.Sprint(members) {
		cl.t.Fatalf("%s: members of %s: got %v want %v", cl.pgroup, group, got, members)
	}
	return m
}

// expectData reads one data message and checks its body.
func (cl *rawClient) expectData(body []byte) msg {
	cl.t.Helper()
	m := cl.recv()
	if m.Type&wire.RegularMess == 0 || !bytes.Equal(m.Body, body) {
		cl.t.Fatalf("%s: got type 0x%x body %.40q, want data %.40q", cl.pgroup, m.Type, m.Body, body)
	}
	return m
}

// expectClosed checks that the daemon closes the connection (after any
// frames still in flight, which are skipped).
func (cl *rawClient) expectClosed() {
	cl.t.Helper()
	for {
		_, err := cl.tryRecv(clientTimeout)
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || !isTimeout(err) {
			return
		}
		cl.t.Fatalf("%s: daemon did not close the connection: %v", cl.pgroup, err)
	}
}

// expectSilence checks nothing arrives within d.
func (cl *rawClient) expectSilence(d time.Duration) {
	cl.t.Helper()
	if m, err := cl.tryRecv(d); err == nil || !isTimeout(err) {
		cl.t.Fatalf("%s: want nothing, got type 0x%x err %v", cl.pgroup, m.Type, err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// frame builds a raw header for malformed-input tests.
func rawHeader(typ uint32, sender string, numGroups, hint, dataLen uint32) []byte {
	b := binary.LittleEndian.AppendUint32(nil, typ)
	n := wire.MakeName(sender)
	b = append(b, n[:]...)
	b = binary.LittleEndian.AppendUint32(b, numGroups)
	b = binary.LittleEndian.AppendUint32(b, hint)
	return binary.LittleEndian.AppendUint32(b, dataLen)
}

func dial(t testing.TB, d *Daemon) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", d.TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func readFull(c net.Conn, b []byte) (int, error) {
	c.SetReadDeadline(time.Now().Add(clientTimeout))
	return io.ReadFull(c, b)
}

// waitMembers waits until group has n members.
func waitMembers(t testing.TB, d *Daemon, group string, n int) {
	t.Helper()
	if !waitUntil(d, clientTimeout, func() bool { return len(d.Members(group)) == n }) {
		t.Fatalf("group %s: %d members, want %d", group, len(d.Members(group)), n)
	}
}
