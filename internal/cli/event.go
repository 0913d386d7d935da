package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spgo/spgo/internal/cli/iostreams"
	"github.com/spgo/spgo/internal/english"
)

// Kinds of event a command prints.
const (
	KindMessage    = "message"    // a data message
	KindMembership = "membership" // a membership change (incl. transition and self-leave)
	KindReject     = "reject"     // the daemon refused one of our requests
	// KindReconnected is spgo's own: the session was lost and replaced
	// (--reconnect); what was sent in between was not received.
	KindReconnected = "reconnected"
)

// event is one received message in the shape the printers need; spreadsession.go
// builds it from a pkg/spread message. Keeping printers on this type lets
// them be tested without a daemon.
type event struct {
	Kind string
	// Received is when the command got the event (--timestamp); zero: not shown.
	Received time.Time

	// data and reject messages
	Service        string // "SAFE", "AGREED", ...
	SelfDiscard    bool
	Sender         string
	Groups         []string
	MsgType        int16
	EndianMismatch bool
	Data           []byte

	// membership messages
	Cause      string // join, leave, disconnect, network, transition, self-leave
	Group      string
	GroupID    groupID
	Members    []string
	Changed    []string
	VSSets     [][]string
	LocalVSSet int

	// reconnected events
	Reconnect *reconnectInfo
}

type groupID struct {
	ProcID int32 `json:"proc_id"`
	Time   int32 `json:"time"`
	Index  int32 `json:"index"`
}

func (g groupID) String() string { return fmt.Sprintf("%d %d %d", g.ProcID, g.Time, g.Index) }

// jsonMessage is the stable -o json shape of data and reject messages.
// Exactly one of Data (valid UTF-8) and DataBase64 (anything else) is set.
type jsonMessage struct {
	Time           string   `json:"time,omitempty"`
	Kind           string   `json:"kind"`
	Service        string   `json:"service"`
	SelfDiscard    bool     `json:"self_discard"`
	Sender         string   `json:"sender"`
	Groups         []string `json:"groups"`
	MsgType        int16    `json:"msg_type"`
	EndianMismatch bool     `json:"endian_mismatch"`
	Size           int      `json:"size"`
	Data           *string  `json:"data,omitempty"`
	DataBase64     *string  `json:"data_base64,omitempty"`
}

// jsonMembership is the stable -o json shape of membership messages.
type jsonMembership struct {
	Time       string     `json:"time,omitempty"`
	Kind       string     `json:"kind"`
	Cause      string     `json:"cause"`
	Group      string     `json:"group"`
	GroupID    groupID    `json:"group_id"`
	Members    []string   `json:"members"`
	Changed    []string   `json:"changed"`
	VSSets     [][]string `json:"vs_sets"`
	LocalVSSet int        `json:"local_vs_set"`
}

// jsonReconnected is the stable -o json shape of a reconnected event.
type jsonReconnected struct {
	Time          string  `json:"time,omitempty"`
	Kind          string  `json:"kind"`
	GoneSeconds   float64 `json:"gone_seconds"`
	LostAt        string  `json:"lost_at"`
	ReconnectedAt string  `json:"reconnected_at"`
	OldDaemon     string  `json:"old_daemon"`
	NewDaemon     string  `json:"new_daemon"`
	OldPrivate    string  `json:"old_private_group"`
	NewPrivate    string  `json:"new_private_group"`
	Reason        string  `json:"reason"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// MarshalJSON renders the event as one JSON object.
func (e *event) MarshalJSON() ([]byte, error) {
	if r := e.Reconnect; e.Kind == KindReconnected && r != nil {
		return marshalTerminalSafe(jsonReconnected{
			Time: e.timestamp(), Kind: e.Kind, GoneSeconds: r.At.Sub(r.LostAt).Seconds(),
			LostAt: r.LostAt.UTC().Format(time.RFC3339Nano), ReconnectedAt: r.At.UTC().Format(time.RFC3339Nano),
			OldDaemon: r.OldDaemon, NewDaemon: r.NewDaemon, OldPrivate: r.OldPrivate, NewPrivate: r.NewPrivate, Reason: r.Reason,
		})
	}
	if e.Kind == KindMembership {
		sets := make([][]string, len(e.VSSets))
		for i, s := range e.VSSets {
			sets[i] = nonNil(s)
		}
		return marshalTerminalSafe(jsonMembership{
			Time: e.timestamp(), Kind: e.Kind, Cause: e.Cause, Group: e.Group, GroupID: e.GroupID,
			Members: nonNil(e.Members), Changed: nonNil(e.Changed), VSSets: sets, LocalVSSet: e.LocalVSSet,
		})
	}
	j := jsonMessage{
		Time: e.timestamp(), Kind: e.Kind, Service: e.Service, SelfDiscard: e.SelfDiscard, Sender: e.Sender,
		Groups: nonNil(e.Groups), MsgType: e.MsgType, EndianMismatch: e.EndianMismatch, Size: len(e.Data),
	}
	if utf8.Valid(e.Data) {
		s := string(e.Data)
		j.Data = &s
	} else {
		s := base64.StdEncoding.EncodeToString(e.Data)
		j.DataBase64 = &s
	}
	return marshalTerminalSafe(j)
}

// timestamp is the receive time as --timestamp shows it, "" when not kept.
func (e *event) timestamp() string {
	if e.Received.IsZero() {
		return ""
	}
	return e.Received.Format(TimestampLayout)
}

// marshalTerminalSafe is json.Marshal that also escapes the C1 control
// characters U+0080..U+009F, which encoding/json leaves raw: U+009B is a
// one-character CSI that a terminal showing the JSON would obey.
func marshalTerminalSafe(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return escapeC1(b), nil
}

// escapeC1 escapes the C1 control characters in encoding/json's output.
func escapeC1(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xc2}) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); i++ {
		// In encoding/json's output these two bytes only occur inside a
		// string, as the UTF-8 form of U+0080..U+009F.
		if b[i] == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f {
			out = fmt.Appendf(out, `\u%04x`, b[i+1])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	b, err := marshalTerminalSafe(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// textLine renders the event as one line of human text. Everything that
// came from the network goes through Sanitize.
func (e *event) textLine(cs *iostreams.ColorScheme) string {
	san := iostreams.Sanitize
	switch e.Kind {
	case KindMembership:
		return cs.Cyan(e.membershipHeadline()) + e.membershipTail()
	case KindReconnected:
		if r := e.Reconnect; r != nil {
			return cs.Yellow("reconnected") + fmt.Sprintf(" to %s as %s after %v away (lost %s as %s: %s)",
				san(r.NewDaemon), san(r.NewPrivate), r.At.Sub(r.LostAt).Round(time.Millisecond),
				san(r.OldDaemon), san(r.OldPrivate), san(r.Reason))
		}
	case KindReject:
		return cs.Red("rejected") + fmt.Sprintf(" %s message from %s to %s, type %d (%d bytes): %s",
			e.Service, san(e.Sender), san(strings.Join(e.Groups, " ")), e.MsgType, len(e.Data), san(shownText(e.Data)))
	}
	svc := e.Service
	if e.SelfDiscard {
		svc += "+SELF_DISCARD"
	}
	return fmt.Sprintf("%s from %s to %s, type %d (%d bytes): %s",
		cs.Green(svc), cs.Bold(san(e.Sender)), san(strings.Join(e.Groups, " ")), e.MsgType, len(e.Data), san(shownText(e.Data)))
}

// shownText is a payload as text output shows it: one trailing newline
// (spuser sends lines with theirs) is dropped so each message stays one
// line; the byte count still includes it.
func shownText(data []byte) string {
	return strings.TrimSuffix(string(data), "\n")
}

// membershipHeadline says what changed: "g1: join of #b#d1".
func (e *event) membershipHeadline() string {
	g := iostreams.Sanitize(e.Group)
	switch e.Cause {
	case "transition":
		return g + ": transitional membership"
	case "self-leave":
		return g + ": left"
	case "network":
		return fmt.Sprintf("%s: network change with %d vs sets", g, len(e.VSSets))
	}
	if len(e.Changed) > 0 {
		return fmt.Sprintf("%s: %s of %s", g, e.Cause, iostreams.Sanitize(strings.Join(e.Changed, " ")))
	}
	return g + ": " + e.Cause
}

// membershipTail lists members and the group id after the headline.
func (e *event) membershipTail() string {
	switch e.Cause {
	case "self-leave":
		return ""
	case "transition":
		return fmt.Sprintf(", group id %s", e.GroupID)
	}
	tail := fmt.Sprintf(", %d %s: %s, group id %s", len(e.Members), english.Plural(len(e.Members), "member", "members"),
		iostreams.Sanitize(strings.Join(e.Members, " ")), e.GroupID)
	if e.Cause == "network" {
		// Who came from the same view (virtual synchrony), and which set is
		// this daemon's: what a network change is about.
		sets := make([]string, len(e.VSSets))
		for i, set := range e.VSSets {
			sets[i] = "[" + iostreams.Sanitize(strings.Join(set, " ")) + "]"
		}
		tail += fmt.Sprintf(", vs sets %s, local vs set %d", strings.Join(sets, " "), e.LocalVSSet)
	}
	return tail
}

// textBlock renders the event over several lines (the interactive shell),
// membership with its members, group id, cause and vs sets like spuser.
func (e *event) textBlock(cs *iostreams.ColorScheme) string {
	if e.Kind != KindMembership {
		return e.textLine(cs)
	}
	var b strings.Builder
	b.WriteString(cs.Cyan("membership " + e.membershipHeadline()))
	switch e.Cause {
	case "self-leave":
		return b.String()
	case "transition":
		fmt.Fprintf(&b, "\n  group id %s", e.GroupID)
		return b.String()
	}
	fmt.Fprintf(&b, "\n  members (%d):", len(e.Members))
	for _, m := range e.Members {
		b.WriteString(" " + iostreams.Sanitize(m))
	}
	fmt.Fprintf(&b, "\n  group id %s", e.GroupID)
	for i, set := range e.VSSets {
		local := ""
		if i == e.LocalVSSet {
			local = " (local)"
		}
		fmt.Fprintf(&b, "\n  vs set %d%s: %s", i, local, iostreams.Sanitize(strings.Join(set, " ")))
	}
	return b.String()
}
