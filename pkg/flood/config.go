package flood

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spgo/spgo/pkg/spread"
)

// Defaults, chosen like spflooder's (1000-byte messages, group "flooder")
// except the count, which is large enough for a stable rate. The window is
// where a real daemon's rate levels off, and 4 senders' windows stay under
// its 1000-message cut-off (measured in the README, --window).
const (
	DefaultGroup  = "flooder"
	DefaultCount  = 100_000
	DefaultSize   = 1000
	DefaultWindow = 200
	DefaultStall  = 3 * time.Second
	// DefaultRTTEvery is how often a message is echoed for a round trip
	// when callers want a default (1 in 100 adds 1% traffic per receiver).
	DefaultRTTEvery = 100
	// MaxSize is the largest message spflooder takes (its -b range).
	MaxSize = 100_000
)

// AllServices are the six service types in order of strength.
var AllServices = spread.DataServices()

// ParseService maps "unreliable", "reliable", "fifo", "causal", "agreed" or
// "safe" (any case) to its service type.
func ParseService(s string) (spread.ServiceType, error) {
	if t, ok := spread.ServiceByName(s); ok {
		return t, nil
	}
	return 0, fmt.Errorf("flood: unknown service type %q; allowed: %s", s, strings.Join(spread.ServiceNames(), ", "))
}

// ParseServices maps a list of service type names, "all" among them, to
// the types a flood of that mode runs. "all" is the six types in a local
// flood; a read-only or write-only flood runs one type, and its "all" is
// spflooder's choice: RELIABLE, or FIFO when it waits for members.
func ParseServices(names []string, mode Mode, waitMembers int) ([]spread.ServiceType, error) {
	var out []spread.ServiceType
	for _, s := range names {
		switch {
		case !strings.EqualFold(s, "all"):
			t, err := ParseService(s)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		case mode == ModeLocal:
			out = append(out, AllServices...)
		case waitMembers > 0:
			out = append(out, spread.FIFOMess)
		default:
			out = append(out, spread.ReliableMess)
		}
	}
	if len(out) == 0 {
		return nil, &ConfigError{Field: "Services", Value: `""`, Allow: "name one or more of " + strings.Join(spread.ServiceNames(), ", ") + ", all"}
	}
	if mode != ModeLocal && len(out) > 1 {
		return nil, &ConfigError{Field: "Services", Value: strings.Join(names, ","), Allow: "exactly one service type in read-only or write-only runs (the other side floods one group)"}
	}
	return out, nil
}

// ServiceName is the upper-case Spread name of a data service type.
func ServiceName(t spread.ServiceType) string {
	if name := t.ShortName(); name != "" && t&^spread.RegularMess == 0 {
		return strings.ToUpper(name)
	}
	return t.String()
}

// Config describes one flood. The zero value of every field but Daemon
// takes the default documented on it.
type Config struct {
	// Daemon is the Spread daemon name ("4803", "4803@host").
	Daemon string
	// SenderDaemons and ReceiverDaemons place the sessions across daemons
	// (those of one ring): sender i connects to SenderDaemons[i mod len],
	// receiver i to ReceiverDaemons[i mod len]. A daemon may be listed more
	// than once. Each defaults to Daemon alone. Listing daemons puts a
	// session on each of them at least: a side that runs here has
	// max(Senders, len(SenderDaemons)) senders, and likewise receivers.
	SenderDaemons, ReceiverDaemons []string
	// Options are passed to every spread.Connect (socket dir, dialer...).
	Options []spread.Option
	// Name, when set, names the sessions: Name alone for a single client,
	// else Name1, Name2, ... (at most spread.MaxPrivateName bytes). Default: the daemon picks.
	Name string
	// Group is the group flooded. With more than one service type each
	// gets its own group, Group-<service>. Default "flooder".
	Group string
	// Services to measure, one after the other. Default: all six.
	Services []spread.ServiceType
	// Count is the number of messages each sender sends per service
	// (default 100000 unless Duration is set).
	Count int
	// Duration, when set (and Count is 0), makes senders send for this long
	// instead of a fixed count; a write-acked sender sends on to the end of
	// an AckEvery block, so that its last message is acknowledged. A
	// read-only run with Duration needs RemoteSent.
	Duration time.Duration
	// RemoteSent, in a read-only run with Duration, delivers once how many
	// messages the remote senders sent in all, when they are done (an
	// agents' coordinator relays it); until then the receivers take
	// whatever comes.
	RemoteSent <-chan int64
	// Size is each message's size in bytes, PayloadHeader..MaxSize
	// (default 1000).
	Size int
	// Mode is which sides of the flood run in this process (default
	// ModeLocal: both).
	Mode Mode
	// Senders and Receivers are the local clients. On a side Mode runs
	// here, zero takes the default, 1; on a side that runs elsewhere
	// (Senders in ModeReadOnly, Receivers in the write-only modes) it must
	// be zero.
	Senders, Receivers int
	// RemoteSenders is how many senders outside this process a
	// ModeReadOnly run expects (default 1); other modes ignore it.
	RemoteSenders int
	// Window is the most messages a sender keeps in flight, counted by the
	// slowest local receiver's progress (or its own echoes). Default 200;
	// negative disables it (spflooder -wo: no flow control at all).
	Window int
	// Rate, when positive, is the total send rate in messages per second,
	// split evenly over the senders. Latency is then measured from each
	// message's intended send time (no coordinated omission).
	Rate float64
	// WaitMembers, when above 0, waits until the group has this many
	// members (local and remote) before sending (spflooder -n).
	WaitMembers int
	// Stall ends a service's flood with loss counted when no receiver has
	// made progress for this long after the senders finished (default 3s).
	Stall time.Duration
	// AckEvery, when above 0, makes every receiver acknowledge each
	// sender's every AckEvery-th message (and its last, of Count) to the
	// sender's private group: the window of senders in another process
	// (RemoteReceivers) follows those acknowledgements.
	AckEvery int
	// RemoteReceivers, in a ModeWriteAcked run, is how many receivers
	// elsewhere acknowledge (AckEvery there): the senders' window follows
	// the slowest of them, and the run ends when all have acknowledged
	// every message (default 1). Other modes refuse it.
	RemoteReceivers int
	// Ready, if set, is called once every session has connected and
	// joined, before the run waits for WaitMembers and starts.
	Ready func()
	// RTTEvery, when above 0, measures round trips, which need no clock
	// shared between hosts: every receiver echoes each sender's messages
	// whose sequence number is a multiple of RTTEvery back to that
	// sender's private group (a small message of the same service type),
	// and the sender times the round trip on its own clock. Write-only
	// senders always time the echoes they get (from read-only receivers
	// elsewhere).
	RTTEvery int
	// ReadBatch bounds how many bytes a receiver lets wait on its socket
	// before it is woken (spread.ReadBatch), so that the daemon's sends
	// do not pay for waking a reader every few messages: 0 chooses
	// (DefaultReadBatch, or a quarter of what the window can have in
	// flight if that is less), a positive value caps the choice, -1 turns
	// batching off. Only a local run on TCP (Linux) batches, and never a
	// paced or round-trip run, whose latencies it would stretch.
	ReadBatch int
	// Progress, if set, is called about ten times a second with the
	// service in progress and its delivered/expected deliveries.
	Progress func(p Progress)
}

// Mode is which sides of a flood run in this process; the other side, if
// any, runs in another process (spflooder -ro and -wo, or spgo's agents).
type Mode int

// The modes of Config.Mode.
const (
	// ModeLocal runs senders and receivers here.
	ModeLocal Mode = iota
	// ModeReadOnly runs only receivers here; RemoteSenders senders
	// elsewhere flood the group with Count messages each (spflooder -ro).
	ModeReadOnly
	// ModeWriteOnly runs only senders here; they join the group and count
	// their own echoes for the window and the result (spflooder -wo).
	ModeWriteOnly
	// ModeWriteAcked runs only senders here; their window follows the
	// acknowledgements of RemoteReceivers receivers elsewhere (AckEvery
	// there), and the run ends when all have acknowledged everything.
	ModeWriteAcked
)

// String is the mode's name: local, read-only, write-only, write-acked.
func (m Mode) String() string {
	switch m {
	case ModeLocal:
		return "local"
	case ModeReadOnly:
		return "read-only"
	case ModeWriteOnly:
		return "write-only"
	case ModeWriteAcked:
		return "write-acked"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// ModeOf is the mode of a run with these local sessions: no senders is
// ModeReadOnly; no receivers ModeWriteAcked when remoteReceivers
// acknowledge, else ModeWriteOnly; both ModeLocal.
func ModeOf(senders, receivers, remoteReceivers int) Mode {
	switch {
	case senders == 0:
		return ModeReadOnly
	case receivers == 0 && remoteReceivers > 0:
		return ModeWriteAcked
	case receivers == 0:
		return ModeWriteOnly
	}
	return ModeLocal
}

// sendersHere and receiversHere report whether the mode runs that side in
// this process.
func (m Mode) sendersHere() bool   { return m != ModeReadOnly }
func (m Mode) receiversHere() bool { return m == ModeLocal || m == ModeReadOnly }

// Progress is a snapshot handed to Config.Progress.
type Progress struct {
	Service   string
	Index     int   // index of the service in Config.Services
	Delivered int64 // deliveries so far (all receivers)
	Expected  int64 // deliveries expected (-1 while unknown, in duration mode)
	Sent      int64
}

// ConfigError names a bad configuration value and what is allowed.
type ConfigError struct {
	// Field is the Config field at fault, as Go spells it ("Size").
	Field string
	// Value is the value refused.
	Value any
	// Allow says what is allowed instead.
	Allow string

	// named is set when Allow is a rule's own text that already names the
	// value (Spread's group-name rule), so the message shows it alone.
	named bool
}

func (e *ConfigError) Error() string { return "flood: " + e.Text(e.Field) }

// Text is the error's message without the package prefix, with name in
// place of the field: a caller that took the value from elsewhere (a
// command-line flag) names it so.
func (e *ConfigError) Text(name string) string {
	if e.named {
		return e.Allow
	}
	return fmt.Sprintf("%s %v is not allowed; %s", name, e.Value, e.Allow)
}

// ServiceGroup is the group the flood of svc runs in: Group, or
// Group-<service> (lower case) when several service types run.
func (c Config) ServiceGroup(svc spread.ServiceType) string {
	group := cmp.Or(c.Group, DefaultGroup)
	if len(c.Services) == 1 {
		return group
	}
	return group + "-" + strings.ToLower(ServiceName(svc))
}

// withDefaults validates c and fills its defaults.
func (c Config) withDefaults() (Config, error) {
	const allow = "name a daemon, e.g. 4803 or 4803@host"
	if c.Daemon == "" {
		return c, &ConfigError{Field: "Daemon", Value: `""`, Allow: allow}
	}
	if slices.Contains(c.SenderDaemons, "") {
		return c, &ConfigError{Field: "SenderDaemons", Value: `""`, Allow: allow}
	}
	if slices.Contains(c.ReceiverDaemons, "") {
		return c, &ConfigError{Field: "ReceiverDaemons", Value: `""`, Allow: allow}
	}
	if len(c.SenderDaemons) == 0 {
		c.SenderDaemons = []string{c.Daemon}
	}
	if len(c.ReceiverDaemons) == 0 {
		c.ReceiverDaemons = []string{c.Daemon}
	}
	return c.SettingsWithDefaults()
}

// SettingsWithDefaults checks everything but the daemon names, as
// CheckSettings does, and returns c with every default filled in: what a
// caller that plans a flood for others (the agents' coordinator) needs.
func (c Config) SettingsWithDefaults() (Config, error) {
	for _, step := range []func(*Config) error{(*Config).services, (*Config).amount, (*Config).sides, (*Config).pacing, (*Config).naming} {
		if err := step(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// services checks and defaults Services.
func (c *Config) services() error {
	if len(c.Services) == 0 {
		c.Services = AllServices
	}
	for _, s := range c.Services {
		if ServiceName(s) == s.String() {
			return &ConfigError{Field: "Services", Value: s, Allow: "one of UNRELIABLE, RELIABLE, FIFO, CAUSAL, AGREED, SAFE"}
		}
	}
	return nil
}

// amount checks and defaults what each sender sends: Count or Duration,
// and Size.
func (c *Config) amount() error {
	switch {
	case c.Count < 0:
		return CountError(c.Count)
	case c.Duration < 0:
		return &ConfigError{Field: "Duration", Value: c.Duration, Allow: "positive"}
	case c.Count == 0 && c.Duration == 0:
		c.Count = DefaultCount
	case c.Count > 0 && c.Duration > 0:
		return &ConfigError{Field: "Duration", Value: c.Duration, Allow: "give either a count or a duration, not both"}
	}
	if c.Size == 0 {
		c.Size = DefaultSize
	}
	if c.Size < PayloadHeader || c.Size > MaxSize {
		return &ConfigError{Field: "Size", Value: c.Size, Allow: fmt.Sprintf("%d..%d bytes (the payload carries a %d-byte sequence/timestamp header)", PayloadHeader, MaxSize, PayloadHeader)}
	}
	return nil
}

// CountError is the error for a message count a flood refuses: Count
// below 0, or 0 where it was given rather than left to the default (a
// command line's -m 0, which would otherwise flood DefaultCount messages).
func CountError(n int) *ConfigError {
	return &ConfigError{Field: "Count", Value: n, Allow: "at least 1"}
}

// maxSessions is the most senders, or receivers, one process runs.
const maxSessions = 1000

// sides checks the mode and the sessions on each side, and defaults them.
func (c *Config) sides() error {
	if c.Mode < ModeLocal || c.Mode > ModeWriteAcked {
		return &ConfigError{Field: "Mode", Value: int(c.Mode), Allow: "ModeLocal, ModeReadOnly, ModeWriteOnly or ModeWriteAcked"}
	}
	for _, side := range []struct {
		field  string
		n      *int
		here   bool
		placed int
	}{{"Senders", &c.Senders, c.Mode.sendersHere(), len(c.SenderDaemons)}, {"Receivers", &c.Receivers, c.Mode.receiversHere(), len(c.ReceiverDaemons)}} {
		switch {
		case !side.here && *side.n != 0:
			return &ConfigError{Field: side.field, Value: *side.n, Allow: fmt.Sprintf("0 in a %s run (that side runs elsewhere)", c.Mode)}
		case side.here && *side.n >= 0:
			*side.n = max(*side.n, side.placed, 1) // one on each daemon listed at least
		}
		switch {
		case *side.n < 0:
			return &ConfigError{Field: side.field, Value: *side.n, Allow: "0 (the default, 1) or more"}
		case *side.n > maxSessions:
			return &ConfigError{Field: side.field, Value: *side.n, Allow: fmt.Sprintf("at most %d", maxSessions)}
		}
	}
	if c.AckEvery < 0 {
		return &ConfigError{Field: "AckEvery", Value: c.AckEvery, Allow: "0 or more"}
	}
	switch {
	case c.RemoteSenders < 0:
		return &ConfigError{Field: "RemoteSenders", Value: c.RemoteSenders, Allow: "0 or more"}
	case c.RemoteReceivers < 0:
		return &ConfigError{Field: "RemoteReceivers", Value: c.RemoteReceivers, Allow: "0 or more"}
	case c.RemoteReceivers > 0 && c.Mode != ModeWriteAcked:
		return &ConfigError{Field: "RemoteReceivers", Value: c.RemoteReceivers, Allow: "only in a write-acked run (ModeWriteAcked)"}
	case c.Mode == ModeWriteAcked && c.RemoteReceivers == 0:
		c.RemoteReceivers = 1
	case c.Mode == ModeReadOnly && c.RemoteSenders == 0:
		c.RemoteSenders = 1
	}
	if c.Mode == ModeReadOnly && c.Duration > 0 && c.RemoteSent == nil {
		return &ConfigError{Field: "Duration", Value: c.Duration, Allow: "a read-only run counts messages; give a count, or RemoteSent to learn it"}
	}
	if len(c.Services) > 1 && c.Mode != ModeLocal {
		return &ConfigError{Field: "Services", Value: len(c.Services), Allow: "exactly one service type in read-only or write-only runs (the other side floods one group)"}
	}
	return nil
}

// pacing checks and defaults how fast the senders go and when they start.
func (c *Config) pacing() error {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Rate != 0 && !(c.Rate >= MinRate && c.Rate <= MaxRate) { // NaN fails both
		return &ConfigError{Field: "Rate", Value: c.Rate, Allow: fmt.Sprintf("0 (as fast as the window allows) or %g..%g messages per second", MinRate, MaxRate)}
	}
	if c.RTTEvery < 0 {
		return &ConfigError{Field: "RTTEvery", Value: c.RTTEvery, Allow: "0 (no round trips) or more: every Nth message of each sender is echoed"}
	}
	if c.ReadBatch < -1 {
		return &ConfigError{Field: "ReadBatch", Value: c.ReadBatch, Allow: "0 (chosen), -1 (off) or a number of bytes"}
	}
	if c.WaitMembers < 0 {
		return &ConfigError{Field: "WaitMembers", Value: c.WaitMembers, Allow: "0 or more"}
	}
	if c.Stall == 0 {
		c.Stall = DefaultStall
	}
	return nil
}

// naming checks and defaults the group and the sessions' names.
func (c *Config) naming() error {
	if c.Group == "" {
		c.Group = DefaultGroup
	}
	if n := c.Senders + c.Receivers; c.Name != "" && len(c.Name)+len(fmt.Sprint(n)) > spread.MaxPrivateName && n > 1 {
		return &ConfigError{Field: "Name", Value: strconv.Quote(c.Name), Allow: fmt.Sprintf("at most %d bytes so that %d numbered sessions fit Spread's %d", spread.MaxPrivateName-len(fmt.Sprint(n)), n, spread.MaxPrivateName)}
	}
	return checkGroupName(c.Group, len(c.Services) > 1)
}

// Bounds of Config.Rate: below MinRate the send interval overflows, above
// MaxRate it rounds to nothing.
const (
	MinRate = 0.001
	MaxRate = 1e9
)

// Check reports the first setting Run would refuse, as a *ConfigError,
// without connecting.
func (c Config) Check() error {
	_, err := c.withDefaults()
	return err
}

// CheckSettings is Check without the daemon names (Daemon and the
// placement), for callers that choose the daemons only after the settings
// are known good (an embedded daemon is started after the check).
func (c Config) CheckSettings() error {
	_, err := c.SettingsWithDefaults()
	return err
}

// checkGroupName applies Spread's group-name rule to the group, and to the
// longest per-service name ("GROUP-unreliable") when several types run.
func checkGroupName(group string, suffixed bool) error {
	var se *spread.Error
	if err := spread.CheckGroupName(group); errors.As(err, &se) {
		return &ConfigError{Field: "Group", Value: strconv.Quote(group), Allow: se.Detail, named: true}
	}
	if suffixed && len(group+"-unreliable") > spread.MaxGroupName-1 {
		return &ConfigError{Field: "Group", Value: strconv.Quote(group), Allow: fmt.Sprintf(
			"at most %d bytes when several types run (Spread's 31, less the -unreliable suffix each type's group gets)",
			spread.MaxGroupName-1-len("-unreliable"))}
	}
	return nil
}
