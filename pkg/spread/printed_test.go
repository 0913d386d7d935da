package spread_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// What the C test programs printed ('#|' lines of a capture), per session:
// the library's view of every SP_receive, used as the expected decoding of
// the daemon's bytes.

type printedRecv struct {
	line      string
	ret       int
	service   uint32
	sender    string
	numGroups int
	messType  int
	endian    int
	groups    []string
	data      *printedData
	memb      *printedMemb
	vs        []printedVS
	transGID  string
}

type printedData struct {
	n         int
	shown     string
	truncated bool
}

type printedMemb struct {
	gid, changed string
	numVSSets    int
	myNum, myOff int
}

type printedVS struct {
	num, off int
	members  []string
}

var (
	reConnect = regexp.MustCompile(`^CONNECT (s\d+) ret=(-?\d+) private_group='(.*)'$`)
	reRecv    = regexp.MustCompile(`^RECV (s\d+) ret=(-?\d+) service=0x([0-9a-f]+) sender='(.*)' num_groups=(-?\d+) mess_type=(-?\d+) endian=(-?\d+)$`)
	reGroup   = regexp.MustCompile(`^group\[\d+\]='(.*)'$`)
	reData    = regexp.MustCompile(`^data\((\d+)\)='(.*)'(\.\.\.)?$`)
	reMemb    = regexp.MustCompile(`^memb_info ret=1 gid=(\S+) changed='(.*)' num_vs_sets=(\d+) my_vs\(num=(\d+) off=(\d+)\)$`)
	reVS      = regexp.MustCompile(`^vs\[\d+\] num=(\d+) off=(\d+):(.*)$`)
	reTrans   = regexp.MustCompile(`^trans gid=(\S+) \(ret=12\)$`)
	reQuoted  = regexp.MustCompile(`'([^']*)'`)
)

// parsePrinted returns the RECV records of every session, keyed by the
// session's private group name (which ties a session to a connection).
func parsePrinted(lines []string) (map[string][]*printedRecv, error) {
	out := map[string][]*printedRecv{}
	sessions := map[string]string{}
	var last *printedRecv
	for _, l := range lines {
		if strings.HasPrefix(l, "----") {
			sessions = map[string]string{}
			last = nil
			continue
		}
		if m := reConnect.FindStringSubmatch(l); m != nil {
			if m[2] == "1" {
				sessions[m[1]] = m[3]
			}
			continue
		}
		if m := reRecv.FindStringSubmatch(l); m != nil {
			r := &printedRecv{line: l, sender: m[4]}
			r.ret, _ = strconv.Atoi(m[2])
			svc, _ := strconv.ParseUint(m[3], 16, 32)
			r.service = uint32(svc)
			r.numGroups, _ = strconv.Atoi(m[5])
			r.messType, _ = strconv.Atoi(m[6])
			r.endian, _ = strconv.Atoi(m[7])
			pg, ok := sessions[m[1]]
			if !ok {
				return nil, fmt.Errorf("RECV for unknown session: %q", l)
			}
			out[pg] = append(out[pg], r)
			last = r
			continue
		}
		if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "group[") && !strings.HasPrefix(l, "data(") {
			if !strings.HasPrefix(l, "memb_info") && !strings.HasPrefix(l, "vs") && !strings.HasPrefix(l, "trans") {
				last = nil
				continue
			}
		}
		if last == nil {
			continue
		}
		l = strings.TrimSpace(l)
		switch {
		case reGroup.MatchString(l):
			last.groups = append(last.groups, reGroup.FindStringSubmatch(l)[1])
		case reData.MatchString(l):
			m := reData.FindStringSubmatch(l)
			n, _ := strconv.Atoi(m[1])
			last.data = &printedData{n: n, shown: m[2], truncated: m[3] != ""}
		case reMemb.MatchString(l):
			m := reMemb.FindStringSubmatch(l)
			pm := &printedMemb{gid: m[1], changed: m[2]}
			pm.numVSSets, _ = strconv.Atoi(m[3])
			pm.myNum, _ = strconv.Atoi(m[4])
			pm.myOff, _ = strconv.Atoi(m[5])
			last.memb = pm
		case reVS.MatchString(l):
			m := reVS.FindStringSubmatch(l)
			v := printedVS{}
			v.num, _ = strconv.Atoi(m[1])
			v.off, _ = strconv.Atoi(m[2])
			for _, q := range reQuoted.FindAllStringSubmatch(m[3], -1) {
				v.members = append(v.members, q[1])
			}
			last.vs = append(last.vs, v)
		case reTrans.MatchString(l):
			last.transGID = reTrans.FindStringSubmatch(l)[1]
		}
	}
	for pg, recs := range out {
		out[pg] = collapseRetries(recs)
	}
	return out, nil
}

// collapseRetries drops the BUFFER_TOO_SHORT / GROUPS_TOO_SHORT attempts
// that libspread answers without consuming the message (the next call
// returns the same message): a short-buffer record followed by one for the
// same service, sender and type is the same message (capture 24_short_buffers_library.txt).
func collapseRetries(recs []*printedRecv) []*printedRecv {
	var out []*printedRecv
	for i, r := range recs {
		if (r.ret == -15 || r.ret == -16) && i+1 < len(recs) {
			n := recs[i+1]
			if n.service == r.service && n.sender == r.sender && n.messType == r.messType {
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// shownAs renders data the way the capture programs print it: printable
// ASCII as is, anything else as '.'.
func shownAs(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c <= 0x7e {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('.')
		}
	}
	return sb.String()
}
