package tap

import (
	"bytes"
	"encoding/hex"
	"strconv"
)

// undecodableShown is how many bytes of an undecodable frame Summary shows.
const undecodableShown = 64

// Summary describes the frame in one line of plain text: its kind and the
// fields that matter for it (no time, direction or session; String gives
// those too). Names and payloads are shown with control bytes escaped.
func (f *Frame) Summary() string { return string(f.AppendSummary(nil)) }

// AppendSummary appends Summary's text to b, allocating nothing but b's
// growth.
func (f *Frame) AppendSummary(b []byte) []byte {
	switch f.Kind {
	case KindOpen:
		return append(b, "open"...)
	case KindClose:
		return appendClose(b, f)
	case KindConnect:
		b = append(b, "connect name="...)
		b = appendName(b, f.Name)
		b = append(b, " version="...)
		b = append(b, f.Version...)
		b = append(b, " membership="...)
		b = strconv.AppendBool(b, f.Membership)
		b = append(b, " priority="...)
		return strconv.AppendInt(b, int64(f.Priority), 10)
	case KindAuthOffer, KindAuthChoice:
		b = append(b, "auth "...)
		b = append(append(b, f.Kind[len("auth-"):]...), ' ')
		for i, m := range f.Methods {
			if i > 0 {
				b = append(b, ' ')
			}
			b = append(b, m...)
		}
		return b
	case KindAccept, KindHandshakeReject:
		return append(append(append(b, f.Kind...), ' '), f.Code...)
	case KindVersion:
		return append(append(b, "version "...), f.Version...)
	case KindPrivateGroup:
		return appendName(append(b, "private group "...), f.PrivateGroup)
	case KindJoin, KindLeave, KindKill:
		return appendNames(append(append(b, f.Kind...), ' '), f.Groups)
	case KindData, KindReject:
		return appendData(b, f)
	case KindMembership, KindTransition, KindSelfLeave:
		return appendMembership(b, f)
	case KindUndecodable:
		return appendUndecodable(b, f)
	}
	b = append(append(append(b, f.Kind...), ' '), f.Service...)
	b = appendName(append(b, " from "...), f.Sender)
	b = appendNames(append(b, " to "...), f.Groups)
	return strconv.AppendInt(append(b, " size "...), int64(f.Size), 10)
}

// appendData is the line of the most frequent frames.
func appendData(b []byte, f *Frame) []byte {
	b = append(append(append(b, f.Kind...), ' '), f.Service...)
	b = appendName(append(b, " from "...), f.Sender)
	b = appendNames(append(b, " to "...), f.Groups)
	b = strconv.AppendInt(append(b, " type "...), int64(f.MsgType), 10)
	b = strconv.AppendInt(append(b, " size "...), int64(len(f.Data)), 10)
	b = append(b, " \""...)
	start := len(b)
	if f.Preview != "" {
		b = append(b, f.Preview...)
	} else {
		b = appendPreview(b, f.Data)
	}
	// The preview is escaped already: only its quotes need escaping.
	if bytes.IndexByte(b[start:], '"') >= 0 {
		quoted := bytes.ReplaceAll(b[start:], []byte{'"'}, []byte(`\"`))
		b = append(b[:start], quoted...)
	}
	return append(b, '"')
}

func appendClose(b []byte, f *Frame) []byte {
	switch f.By {
	case "D":
		b = append(b, "close by daemon"...)
	case "T":
		b = append(b, "close by tap"...)
	default:
		b = append(b, "close by client"...)
	}
	if f.Error != "" {
		b = append(append(b, ": "...), f.Error...)
	}
	return b
}

func appendMembership(b []byte, f *Frame) []byte {
	b = append(b, f.Kind...)
	if f.Cause != "" && f.Kind == KindMembership {
		b = append(append(b, ' '), f.Cause...)
	}
	b = appendName(append(b, ' '), f.Group)
	if id := f.GroupID; id != nil {
		b = strconv.AppendInt(append(b, " id "...), int64(id.ProcID), 10)
		b = strconv.AppendInt(append(b, '.'), int64(id.Time), 10)
		b = strconv.AppendInt(append(b, '.'), int64(id.Index), 10)
	}
	if f.Kind == KindMembership {
		b = appendNames(append(b, " members "...), f.Members)
		for i, set := range f.VSSets {
			b = append(b, " vs"...)
			if i == f.LocalVSSet {
				b = append(b, '*')
			}
			b = append(appendNames(append(b, '['), set), ']')
		}
	}
	if f.Error != "" {
		b = append(append(append(b, " ("...), f.Error...), ')')
	}
	return b
}

func appendUndecodable(b []byte, f *Frame) []byte {
	shown, more := f.Raw, ""
	if len(shown) > undecodableShown {
		shown, more = shown[:undecodableShown], "..."
	}
	b = strconv.AppendInt(append(b, "undecodable "...), int64(f.Size), 10)
	b = hex.AppendEncode(append(b, " bytes "...), shown)
	return append(append(append(append(b, more...), " ("...), f.Error...), ')')
}

// appendNames appends names joined with commas, each escaped; "-" for
// none.
func appendNames(b []byte, list []string) []byte {
	if len(list) == 0 {
		return append(b, '-')
	}
	for i, n := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendName(b, n)
	}
	return b
}

// appendName shows a name as is when it is plain (printable ASCII without
// space, comma or quote), quoted and escaped otherwise.
func appendName(b []byte, s string) []byte {
	plain := s != ""
	for i := 0; plain && i < len(s); i++ {
		c := s[i]
		plain = c > ' ' && c < 0x7f && c != ',' && c != '"' && c != '\\'
	}
	if plain {
		return append(b, s...)
	}
	return strconv.AppendQuote(b, s)
}
