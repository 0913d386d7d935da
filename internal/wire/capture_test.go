package wire_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spgo/spgo/internal/capture"
	"github.com/spgo/spgo/internal/wire"
	"github.com/spgo/spgo/internal/wire/wiretest"
)

// messageUnits returns every captured unit that is one whole message frame:
// it decodes as a header whose lengths account for exactly its bytes.
func messageUnits(t testing.TB) (units [][]byte, names []string) {
	files, err := capture.All(capture.Dir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, ev := range f.Events {
			if ev.Kind != capture.Unit || len(ev.Payload) < wire.HeaderSize {
				continue
			}
			h, err := wire.DecodeHeader(ev.Payload)
			if err != nil {
				continue
			}
			rest, err := h.CheckLengths(wire.ClientReadLimits)
			if err != nil || wire.HeaderSize+rest != len(ev.Payload) {
				continue
			}
			units = append(units, ev.Payload)
			names = append(names, f.Name+":"+ev.Conn+" "+ev.Dir)
		}
	}
	return units, names
}

// Every whole message in the captures decodes and re-encodes to the same
// bytes, in the byte order it was written in.
func TestCaptureMessagesRoundTrip(t *testing.T) {
	units, names := messageUnits(t)
	if len(units) < 250 {
		t.Fatalf("found only %d message units in the captures", len(units))
	}
	bigSeen := 0
	for i, u := range units {
		m, n, err := wiretest.Decode(u, wire.ClientReadLimits)
		if err != nil || n != len(u) {
			t.Fatalf("%s: decode: n=%d err=%v", names[i], n, err)
		}
		if m.BigEndian {
			bigSeen++
		}
		out := wiretest.Append(nil, &m)
		if !bytes.Equal(out, u) {
			t.Fatalf("%s: re-encoded\n%x\nwant\n%x", names[i], out, u)
		}
	}
	if bigSeen == 0 {
		t.Fatal("no big-endian message found in the captures")
	}
}

// Every membership body in the captures decodes, and re-encodes unchanged.
func TestCaptureMembershipBodies(t *testing.T) {
	units, names := messageUnits(t)
	count, ringAlone := 0, 0
	for i, u := range units {
		m, _, _ := wiretest.Decode(u, wire.ClientReadLimits)
		if m.Type&wire.RegMembMess == 0 || m.IsReject() {
			continue
		}
		count++
		body, err := wire.DecodeMembershipBody(m.Body, m.ByteOrder())
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		if got := wire.AppendMembershipBody(nil, body.GroupID, body.LocalVSSet, rawSets(body.VSSets)...); !bytes.Equal(got, m.Body) {
			t.Fatalf("%s: membership body re-encoded\n%x\nwant\n%x", names[i], got, m.Body)
		}
		// The proc id is the representative daemon's address: 127.0.0.1
		// (localhost, or d1 of a ring) unless d1 was cut off, as for d3 or
		// d2 alone in a partitioned ring (35_ring_partition_merge.txt,
		// 40_ring_member_order.txt).
		switch p := body.GroupID.ProcID; {
		case p == 0x7f000001:
		case (p == 0x7f000002 || p == 0x7f000003) && strings.Contains(names[i], "_ring_"):
			ringAlone++
		default:
			t.Errorf("%s: proc id %#x, want 127.0.0.1 (or 127.0.0.2, .3 in a ring capture)", names[i], p)
		}
	}
	if count < 50 {
		t.Fatalf("only %d membership messages found", count)
	}
	if ringAlone == 0 {
		t.Fatal("no membership of a partitioned ring's lone daemon (proc id 127.0.0.2 or .3) found")
	}
}

func TestMessTypeFromHint(t *testing.T) {
	cases := []struct {
		hint     uint32
		mt       int16
		mismatch bool
	}{
		{0x80010280, 258, false},
		{wire.MakeHint(-1), -1, false},
		{wire.MakeHint(-32768), -32768, false},
		{0x00123400, 0x3412, true}, // big-endian sender of 0x1234 (capture 25_big_endian_client.txt)
		{wire.EndianMarker, 0, false},
	}
	for _, c := range cases {
		mt, mm := wire.MessType(c.hint)
		if mt != c.mt || mm != c.mismatch {
			t.Errorf("wire.MessType(%#x) = %d,%v want %d,%v", c.hint, mt, mm, c.mt, c.mismatch)
		}
	}
}

func TestHeaderRejectsHalfMarker(t *testing.T) {
	b := make([]byte, wire.HeaderSize)
	b[0] = 0x90 // 0x80 bit set, 0x80000000 clear
	if _, err := wire.DecodeHeader(b); err == nil {
		t.Fatal("header with one marker bit accepted")
	}
}

func TestCheckLengthsLimits(t *testing.T) {
	cases := []wire.Header{
		{NumGroups: -1},
		{NumGroups: 101},
		{DataLen: -5},
		{DataLen: 144001},
		{DataLen: 143952 - 31, NumGroups: 1},
	}
	for _, h := range cases {
		if _, err := h.CheckLengths(wire.DaemonReadLimits); err == nil {
			t.Errorf("CheckLengths(%+v) accepted", h)
		}
	}
	ok := wire.Header{DataLen: 143119, NumGroups: 1}
	if n, err := ok.CheckLengths(wire.DaemonReadLimits); err != nil || n != 143151 {
		t.Fatalf("largest safe message: n=%d err=%v", n, err)
	}
}

func TestHandshakeFramesFromCapture(t *testing.T) {
	f, err := capture.Read(capture.Dir() + "/01_connect_membership_on.txt")
	if err != nil {
		t.Fatal(err)
	}
	c := f.Units("A", capture.ClientToDaemon)
	d := f.Units("A", capture.DaemonToClient)
	if got := wire.AppendHello(nil, wire.HelloFlags(true, 0), "alice"); !bytes.Equal(got, c[0]) {
		t.Fatalf("hello %x want %x", got, c[0])
	}
	h, n, err := wire.DecodeHello(c[0])
	if err != nil || n != len(c[0]) || string(h.Name) != "alice" || !h.Membership() || h.Version() != 40400 {
		t.Fatalf("wire.DecodeHello = %+v n=%d err=%v", h, n, err)
	}
	if got := wire.AppendAuthOffer(nil, []string{"NULL"}); !bytes.Equal(got, d[0]) {
		t.Fatalf("offer %x want %x", got, d[0])
	}
	choice, err := wire.AppendAuthChoice(nil, []string{"NULL"})
	if err != nil || !bytes.Equal(choice, c[1]) {
		t.Fatalf("choice %x want %x (%v)", choice, c[1], err)
	}
	if m, _ := wire.DecodeAuthChoice(c[1]); len(m) != 1 || m[0] != "NULL" {
		t.Fatalf("wire.DecodeAuthChoice = %q", m)
	}
	accept := bytes.Join(d[1:4], nil)
	if got := wire.AppendAccept(nil, true, "#alice#localhost"); !bytes.Equal(got, accept) {
		t.Fatalf("accept %x want %x", got, accept)
	}
}

func TestSplitPrivateGroup(t *testing.T) {
	good := []string{"#alice#localhost", "#r8823-11#localhost", "#a#b"}
	bad := []string{"alice", "#alice", "##localhost", "#alice#", "#abcdefghijk#x", "#a#b#c", "#a b#x", "#a#01234567890123456789"}
	for _, s := range good {
		if _, _, ok := wire.SplitPrivateGroup([]byte(s)); !ok {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range bad {
		if _, _, ok := wire.SplitPrivateGroup([]byte(s)); ok {
			t.Errorf("%q accepted", s)
		}
	}
}

// rawSets turns decoded vs sets back into raw name fields.
func rawSets(sets [][]wire.Name) [][]byte {
	out := make([][]byte, len(sets))
	for i, set := range sets {
		for j := range set {
			out[i] = append(out[i], set[j][:]...)
		}
	}
	return out
}
