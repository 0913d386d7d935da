package spread_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/internal/wire/wiretest"
	"github.com/spgo/spgo/pkg/spread"
)

// Frames a daemon might send, good and bad, built with the wire package.

func frame(typ uint32, sender string, groups []string, hint uint32, body []byte) []byte {
	m := wiretest.Message{Header: wire.Header{Type: typ, Sender: wire.MakeName(sender), Hint: hint}, Body: body}
	for _, g := range groups {
		m.Groups = append(m.Groups, wire.MakeName(g))
	}
	return wiretest.Append(nil, &m)
}

func dataFrame(body string) []byte {
	return frame(wire.AgreedMess, "#a#mock", []string{"g"}, wire.MakeHint(9), []byte(body))
}

func membFrame(cause uint32, body []byte) []byte {
	return frame(wire.RegMembMess|cause, "g", []string{"#bob#mock"}, wire.EndianMarker, body)
}

func goodMembBody() []byte {
	bob := wire.MakeName("#bob#mock")
	return wire.AppendMembershipBody(nil, wire.GroupID{ProcID: 1, Time: 2, Index: 3}, 0, bob[:])
}

// mailboxWithStream connects to a mock that accepts and then writes stream
// and closes.
func mailboxWithStream(t *testing.T, stream []byte) *spread.Mailbox {
	t.Helper()
	mb, done, err := runMock(t, func(m *mock) error {
		if err := m.accept("bob", 1); err != nil {
			return err
		}
		_, _ = m.c.Write(stream) // the client may stop reading early
		return nil
	}, spread.WithName("bob"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { <-done })
	return mb
}

func TestMalformedFramesAreSkipped(t *testing.T) {
	body := goodMembBody()
	le := binary.LittleEndian
	badOffset := bytes.Clone(body)
	le.PutUint32(badOffset[16:], 7)
	tooManySets := bytes.Clone(body)
	le.PutUint32(tooManySets[12:], 1000)
	bigCount := bytes.Clone(body)
	le.PutUint32(bigCount[20:], 1<<30)
	for _, tc := range []struct {
		name  string
		frame []byte
	}{
		{"short membership body", membFrame(wire.CausedByJoin, body[:10])},
		{"vs set offset inside a set", membFrame(wire.CausedByJoin, badOffset)},
		{"too many vs sets", membFrame(wire.CausedByJoin, tooManySets)},
		{"huge vs set count", membFrame(wire.CausedByJoin, bigCount)},
		{"two causes", membFrame(wire.CausedByJoin|wire.CausedByLeave, body)},
		{"no cause", membFrame(0, body)},
		{"short transition body", frame(wire.TransitionMess, "g", nil, wire.EndianMarker, []byte{1, 2, 3})},
		{"no kind at all", frame(wire.JoinMess, "g", nil, wire.EndianMarker, nil)},
		{"membership bit without form", frame(wire.CausedByJoin, "g", nil, wire.EndianMarker, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := append(bytes.Clone(tc.frame), dataFrame("after")...)
			mb := mailboxWithStream(t, stream)
			if _, err := mb.Receive(); !errors.Is(err, spread.ErrIllegalMessage) {
				t.Fatalf("Receive = %v, want ILLEGAL_MESSAGE", err)
			}
			msg, err := mb.Receive()
			if err != nil {
				t.Fatalf("the frame after a skipped one: %v", err)
			}
			if rm, ok := msg.(*spread.RegularMessage); !ok || string(rm.Data) != "after" {
				t.Fatalf("got %+v", msg)
			}
			if _, err := mb.Receive(); !errors.Is(err, spread.ErrConnectionClosed) {
				t.Fatalf("at the end: %v", err)
			}
		})
	}
}

func TestMalformedHeadersLoseTheStream(t *testing.T) {
	good := dataFrame("x")
	oneMarker := bytes.Clone(good)
	oneMarker[3] = 0 // only the low marker bit left
	negGroups := bytes.Clone(good)
	binary.LittleEndian.PutUint32(negGroups[36:], 0xffffffff)
	hugeData := bytes.Clone(good)
	binary.LittleEndian.PutUint32(hugeData[44:], 1<<30)
	for _, tc := range []struct {
		name   string
		stream []byte
		want   error
	}{
		{"one endian marker bit", oneMarker, spread.ErrIllegalMessage},
		{"negative num_groups", negGroups, spread.ErrIllegalMessage},
		{"huge data_len", hugeData, spread.ErrIllegalMessage},
		{"truncated header", good[:20], spread.ErrConnectionClosed},
		{"truncated body", good[:len(good)-1], spread.ErrConnectionClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mb := mailboxWithStream(t, tc.stream)
			if _, err := mb.Receive(); !errors.Is(err, tc.want) {
				t.Fatalf("Receive = %v, want %v", err, tc.want)
			}
			// Sticky: nothing works afterwards, nothing hangs.
			if _, err := mb.Receive(); !errors.Is(err, tc.want) {
				t.Fatalf("second Receive = %v", err)
			}
			if err := mb.Multicast(spread.AgreedMess, "g", nil, 0); !errors.Is(err, tc.want) {
				t.Fatalf("Multicast = %v", err)
			}
			if err := mb.Disconnect(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBigEndianDaemonFrames(t *testing.T) {
	// A big-endian daemon: header and membership body in BE order, hint
	// from a BE sender (no marker): endian mismatch for data.
	h := wire.Header{Type: wire.SafeMess, Sender: wire.MakeName("#be#mock"), NumGroups: 1, Hint: 0x00341200, DataLen: 3} // bytes 00 12 34 00 as in capture 25_big_endian_client.txt
	data := wiretest.AppendHeaderBigEndian(nil, &h)
	g := wire.MakeName("beg")
	data = append(append(data, g[:]...), "BIG"...)

	var body []byte
	be := binary.BigEndian
	body = be.AppendUint32(body, 0x7f000001)
	body = be.AppendUint32(body, 99)
	body = be.AppendUint32(body, 4)
	body = be.AppendUint32(body, 2)  // two vs sets
	body = be.AppendUint32(body, 36) // ours is the second
	a, b := wire.MakeName("#a#d1"), wire.MakeName("#bob#mock")
	body = be.AppendUint32(body, 1)
	body = append(body, a[:]...)
	body = be.AppendUint32(body, 1)
	body = append(body, b[:]...)
	mh := wire.Header{Type: wire.RegMembMess | wire.CausedByNetwork, Sender: wire.MakeName("g"), NumGroups: 2, DataLen: int32(len(body))}
	memb := wiretest.AppendHeaderBigEndian(nil, &mh)
	memb = append(append(append(memb, a[:]...), b[:]...), body...)

	mb := mailboxWithStream(t, append(data, memb...))
	msg, err := mb.Receive()
	if err != nil {
		t.Fatal(err)
	}
	rm := msg.(*spread.RegularMessage)
	if rm.Service != spread.SafeMess || rm.MsgType != 0x1234 || !rm.EndianMismatch || string(rm.Data) != "BIG" || rm.Groups[0] != "beg" {
		t.Fatalf("data: %+v", rm)
	}
	msg, err = mb.Receive()
	if err != nil {
		t.Fatal(err)
	}
	mm := msg.(*spread.MembershipMessage)
	want := spread.GroupID{ProcID: 0x7f000001, Time: 99, Index: 4}
	if mm.Cause != spread.CauseNetwork || mm.GroupID != want || mm.LocalVSSet != 1 || len(mm.VSSets) != 2 ||
		mm.VSSets[1][0] != "#bob#mock" || len(mm.Changed) != 0 || mm.IndexOf("#bob#mock") != 1 {
		t.Fatalf("membership: %+v", mm)
	}
}

// A message bigger than the read buffer grows it (capture 24_short_buffers_library.txt on the library
// side is BUFFER_TOO_SHORT; here the caller never sees that).
func TestReceiveGrowsBuffer(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 30000)
	groups := make([]string, 200)
	for i := range groups {
		groups[i] = "group" + string(rune('a'+i%26))
	}
	f := frame(wire.FIFOMess, "#a#mock", groups, wire.MakeHint(-2), big)
	mb, done, err := runMock(t, func(m *mock) error {
		if err := m.accept("bob", 1); err != nil {
			return err
		}
		_, err := m.c.Write(f)
		return err
	}, spread.WithName("bob"), spread.WithReadBuffer(64))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mb.Receive()
	if err != nil {
		t.Fatal(err)
	}
	rm := msg.(*spread.RegularMessage)
	if !bytes.Equal(rm.Data, big) || len(rm.Groups) != 200 || rm.MsgType != -2 {
		t.Fatalf("got %d bytes, %d groups, type %d", len(rm.Data), len(rm.Groups), rm.MsgType)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
