package tap

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// undecodableShown is how many bytes of an undecodable frame Summary shows.
const undecodableShown = 64

// Summary describes the frame in one line of plain text: its kind and the
// fields that matter for it (no time, direction or session; see Frame for
// those). Names and payloads are shown with control bytes escaped.
func (f *Frame) Summary() string {
	switch f.Kind {
	case KindOpen:
		return "open"
	case KindClose:
		return closeSummary(f)
	case KindConnect:
		return fmt.Sprintf("connect name=%s version=%s membership=%t priority=%d", quoteName(f.Name), f.Version, f.Membership, f.Priority)
	case KindAuthOffer:
		return "auth offer " + strings.Join(f.Methods, " ")
	case KindAuthChoice:
		return "auth choice " + strings.Join(f.Methods, " ")
	case KindAccept, KindHandshakeReject:
		return strings.ToLower(string(f.Kind)) + " " + f.Code
	case KindVersion:
		return "version " + f.Version
	case KindPrivateGroup:
		return "private group " + quoteName(f.PrivateGroup)
	case KindJoin, KindLeave, KindKill:
		return string(f.Kind) + " " + names(f.Groups)
	case KindData, KindReject:
		return dataSummary(f)
	case KindMembership, KindTransition, KindSelfLeave:
		return membershipSummary(f)
	case KindUndecodable:
		return undecodableSummary(f)
	}
	return fmt.Sprintf("%s %s from %s to %s size %d", f.Kind, f.Service, quoteName(f.Sender), names(f.Groups), f.Size)
}

// dataSummary is the line of the most frequent frames, built without fmt.
func dataSummary(f *Frame) string {
	b := make([]byte, 0, 64+len(f.Preview))
	b = append(b, f.Kind...)
	b = append(b, ' ')
	b = append(b, f.Service...)
	b = append(b, " from "...)
	b = append(b, quoteName(f.Sender)...)
	b = append(b, " to "...)
	b = append(b, names(f.Groups)...)
	b = append(b, " type "...)
	b = strconv.AppendInt(b, int64(f.MsgType), 10)
	b = append(b, " size "...)
	b = strconv.AppendInt(b, int64(len(f.Data)), 10)
	// The preview is escaped already: only its quotes need escaping.
	b = append(b, " \""...)
	if strings.IndexByte(f.Preview, '"') < 0 {
		b = append(b, f.Preview...)
	} else {
		b = append(b, strings.ReplaceAll(f.Preview, `"`, `\"`)...)
	}
	return string(append(b, '"'))
}

func closeSummary(f *Frame) string {
	s := "close by client"
	switch f.By {
	case "D":
		s = "close by daemon"
	case "T":
		s = "close by tap"
	}
	if f.Error != "" {
		s += ": " + f.Error
	}
	return s
}

func membershipSummary(f *Frame) string {
	var b strings.Builder
	b.WriteString(string(f.Kind))
	if f.Cause != "" && f.Kind == KindMembership {
		b.WriteString(" " + f.Cause)
	}
	b.WriteString(" " + quoteName(f.Group))
	if f.GroupID != nil {
		fmt.Fprintf(&b, " id %d.%d.%d", f.GroupID.ProcID, f.GroupID.Time, f.GroupID.Index)
	}
	if f.Kind == KindMembership {
		b.WriteString(" members " + names(f.Members))
		for i, set := range f.VSSets {
			mark := ""
			if i == f.LocalVSSet {
				mark = "*"
			}
			b.WriteString(" vs" + mark + "[" + names(set) + "]")
		}
	}
	if f.Error != "" {
		b.WriteString(" (" + f.Error + ")")
	}
	return b.String()
}

func undecodableSummary(f *Frame) string {
	shown, more := f.Raw, ""
	if len(shown) > undecodableShown {
		shown, more = shown[:undecodableShown], "..."
	}
	return fmt.Sprintf("undecodable %d bytes %s%s (%s)", f.Size, hex.EncodeToString(shown), more, f.Error)
}

// names joins names with commas, each escaped; "-" for none.
func names(list []string) string {
	switch len(list) {
	case 0:
		return "-"
	case 1:
		return quoteName(list[0])
	}
	q := make([]string, len(list))
	for i, n := range list {
		q[i] = quoteName(n)
	}
	return strings.Join(q, ",")
}

// quoteName shows a name as is when it is plain (printable ASCII without
// space, comma or quote), quoted and escaped otherwise.
func quoteName(s string) string {
	plain := s != ""
	for i := 0; plain && i < len(s); i++ {
		c := s[i]
		plain = c > ' ' && c < 0x7f && c != ',' && c != '"' && c != '\\'
	}
	if plain {
		return s
	}
	return fmt.Sprintf("%q", s)
}
