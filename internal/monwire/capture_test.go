package monwire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// datagram is one UDP line of a capture with the field values its
// comments give.
type datagram struct {
	label, dir string
	src, dst   string
	b          []byte
	fields     map[string]int64 // "hdr type", "stat sec", ...
}

var (
	udpLine   = regexp.MustCompile(`^(\S+) UDP (M>D|D>M) (\S+) (\S+) ([0-9a-f]*)$`)
	fieldLine = regexp.MustCompile(`^# (\S+) (M>D|D>M)\s+(hdr|stat)\s+\+(\d+)\s+(\d+) (\S+)\s+(\S+)`)
)

func readMonitorCapture(t *testing.T) []datagram {
	t.Helper()
	f, err := os.Open("../../testdata/captures/39_monitor_status.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []datagram
	pending := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := fieldLine.FindStringSubmatch(line); m != nil {
			v, err := strconv.ParseInt(m[7], 0, 64)
			if err != nil {
				t.Fatalf("field value in %q: %v", line, err)
			}
			pending[m[3]+" "+m[6]] = v
			continue
		}
		m := udpLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		b, err := hex.DecodeString(m[5])
		if err != nil {
			t.Fatalf("hex in %q: %v", line, err)
		}
		out = append(out, datagram{label: m[1], dir: m[2], src: m[3], dst: m[4], b: b, fields: pending})
		pending = map[string]int64{}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 30 {
		t.Fatalf("only %d datagrams in the capture", len(out))
	}
	return out
}

func headerField(h *Header, raw []byte, o ByteOrder, name string) int64 {
	switch name {
	case "type":
		return int64(o.Uint32(raw)) // as sent, marker included
	case "transmiter_id":
		return int64(h.TransmiterID)
	case "proc_id":
		return int64(h.ProcID)
	case "memb_id.proc_id":
		return int64(h.MembProcID)
	case "memb_id.time":
		return int64(h.MembTime)
	case "seq":
		return int64(h.Seq)
	case "token_round":
		return int64(h.TokenRound)
	case "conf_hash":
		return int64(h.ConfHash)
	case "data_len":
		return int64(h.DataLen)
	case "padding":
		return int64(h.Padding)
	case "first_frag_header.fragment_index":
		return int64(h.FragIndex)
	case "first_frag_header.fragment_len":
		return int64(h.FragLen)
	}
	return -1 << 62
}

// TestCaptureReplies: every daemon reply of the real exchange decodes to
// the values the capture lists, field by field, and encodes back to the
// same bytes.
func TestCaptureReplies(t *testing.T) {
	n := 0
	for _, d := range readMonitorCapture(t) {
		if d.dir != "D>M" {
			continue
		}
		n++
		r, err := DecodeReply(d.b)
		if err != nil {
			t.Fatalf("%s %s: %v", d.label, d.src, err)
		}
		if r.Known != 30 || r.Extra != 0 || r.Partial() || len(r.Problems(len(d.b))) != 0 || r.BigEndian {
			t.Errorf("%s: known %d extra %d problems %v", d.label, r.Known, r.Extra, r.Problems(len(d.b)))
		}
		o, _ := OrderOf(d.b)
		checked := 0
		for k, want := range d.fields {
			part, name, _ := strings.Cut(k, " ")
			var got int64
			if part == "hdr" {
				got = headerField(&r.Header, d.b, o, name)
			} else {
				var ok bool
				if got, ok = r.Status.Field(name); !ok {
					t.Errorf("%s: unknown status field %q", d.label, name)
				}
			}
			if got != want {
				t.Errorf("%s %s: %s = %d, capture says %d", d.label, d.src, k, got, want)
			}
			checked++
		}
		if checked != 12+30 {
			t.Errorf("%s: %d fields listed in the capture, want 42", d.label, checked)
		}
		again := AppendStatus(AppendHeader(nil, &r.Header, o), &r.Status, o)
		if !bytes.Equal(again, d.b) {
			t.Errorf("%s: re-encoded\n%x\nwant\n%x", d.label, again, d.b)
		}
		if r.Status.Version() != "4.4.0" || StateName(r.Status.State) != "OP" || GStateName(r.Status.GState) != "GOP" {
			t.Errorf("%s: %s", d.label, r.Status.String())
		}
	}
	if n < 10 {
		t.Fatalf("%d replies", n)
	}
}

// TestCaptureQueries: spmonitor's query is what AppendQuery builds, in both
// byte orders, and QueryProblem refuses what the real daemon ignored.
func TestCaptureQueries(t *testing.T) {
	answered := map[string]bool{}
	all := readMonitorCapture(t)
	for _, d := range all {
		if d.dir == "D>M" {
			answered[d.label] = true
		}
	}
	// Probes the real daemon ignored for reasons of the datagram itself (the
	// rest were refused for the address claimed, the sender or the port).
	codecRefuses := map[string]string{
		"P06": "monitor magic", "P07": "conf_hash", "P11": "header says", "P15": "not a status query",
	}
	const ownHash = 3448398660 // the recorded ring's configuration hash (P08)
	seen := map[string]bool{}
	for _, d := range all {
		if d.dir != "M>D" {
			continue
		}
		seen[d.label] = true
		h, o, err := DecodeHeader(d.b)
		if d.label == "P13" {
			if err == nil {
				t.Errorf("P13 (%d bytes) decoded", len(d.b))
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", d.label, err)
		}
		for k, want := range d.fields {
			if _, name, _ := strings.Cut(k, " "); headerField(&h, d.b, o, name) != want {
				t.Errorf("%s: %s = %d, capture says %d", d.label, k, headerField(&h, d.b, o, name), want)
			}
		}
		problem := QueryProblem(h, len(d.b), ownHash)
		if want, refused := codecRefuses[d.label]; refused {
			if !strings.Contains(problem, want) {
				t.Errorf("%s: problem %q, want one about %s", d.label, problem, want)
			}
		} else if problem != "" {
			t.Errorf("%s: problem %q for a query the daemon accepts", d.label, problem)
		}
		if answered[d.label] && problem != "" {
			t.Errorf("%s was answered but QueryProblem says %q", d.label, problem)
		}
		switch d.label {
		case "spmon":
			q := AppendQuery(nil, Query{ProcID: 0x7f000001, ReplyPort: 6543}, binary.LittleEndian)
			if !bytes.Equal(q, d.b) {
				t.Errorf("spmonitor's query\n%x, AppendQuery\n%x", d.b, q)
			}
		case "P02":
			if o != binary.BigEndian {
				t.Fatal("P02 is big-endian")
			}
			q := AppendQuery(nil, Query{ProcID: h.ProcID, ReplyPort: uint16(h.Seq)}, binary.BigEndian)
			if !bytes.Equal(q, d.b) {
				t.Errorf("big-endian query\n%x, AppendQuery\n%x", d.b, q)
			}
		}
	}
	// The probes the checks above name must all be in the capture, or
	// those checks ran on nothing.
	for _, label := range []string{"spmon", "P02", "P06", "P07", "P11", "P13", "P15"} {
		if !seen[label] {
			t.Errorf("query %s is not in the capture", label)
		}
	}
	if len(answered) == 0 {
		t.Error("no query of the capture was answered")
	}
}

// TestBigEndianReply: a big-endian daemon's reply (none was available to
// record: built from a recorded one) decodes to the same record.
func TestBigEndianReply(t *testing.T) {
	for _, d := range readMonitorCapture(t) {
		if d.dir != "D>M" {
			continue
		}
		le, _ := DecodeReply(d.b)
		be := AppendStatus(AppendHeader(nil, &le.Header, binary.BigEndian), &le.Status, binary.BigEndian)
		if binary.BigEndian.Uint32(be) != StatusType {
			t.Fatalf("big-endian type %08x, want %08x (no marker)", binary.BigEndian.Uint32(be), StatusType)
		}
		r, err := DecodeReply(be)
		if err != nil || !r.BigEndian || r.Status != le.Status || r.Header != le.Header {
			t.Fatalf("big-endian: %+v %v", r, err)
		}
		return
	}
	t.Fatal("no daemon reply in the capture to build a big-endian one from")
}

func TestShortAndLongRecords(t *testing.T) {
	var full []byte
	for _, d := range readMonitorCapture(t) {
		if d.dir == "D>M" {
			full = d.b
			break
		}
	}
	if len(full) == 0 {
		t.Fatal("no daemon reply in the capture")
	}
	for size := 0; size <= len(full)+8; size++ {
		b := append(append([]byte(nil), full[:min(size, len(full))]...), make([]byte, max(0, size-len(full)))...)
		r, err := DecodeReply(b)
		if size < HeaderSize {
			if err == nil {
				t.Fatalf("%d bytes decoded", size)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		wantKnown := 0
		for off, f := 0, 0; f < len(fields) && off+fields[f].size() <= size-HeaderSize; f++ {
			off += fields[f].size()
			wantKnown++
		}
		if r.Known != wantKnown || r.Extra != max(0, size-ReplySize) {
			t.Fatalf("%d bytes: known %d extra %d, want %d %d", size, r.Known, r.Extra, wantKnown, max(0, size-ReplySize))
		}
		if size != ReplySize && len(r.Problems(size)) == 0 {
			t.Fatalf("%d bytes: no problem reported", size)
		}
		if r.Known > 0 && r.Status.Sec == 0 {
			t.Fatalf("%d bytes: sec not decoded", size)
		}
	}
}
