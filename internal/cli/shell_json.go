package cli

// The shell's own reports with -o json, one object per line like the
// events. Their fields are structs, not maps, so every line has one key
// order: "kind" first, then the fields in the order below (the README's
// shell section lists them).

// jsonConnected opens a session: {"kind":"connected","server":...,"private_group":...}.
type jsonConnected struct {
	Kind         string `json:"kind"`
	Server       string `json:"server"`
	PrivateGroup string `json:"private_group"`
}

// jsonSent reports a burst: messages, the size of each, the groups.
type jsonSent struct {
	Kind     string   `json:"kind"`
	Messages int      `json:"messages"`
	Size     int      `json:"size"`
	Groups   []string `json:"groups"`
}

// jsonPoll reports what waits for receive (nothing while async is on).
type jsonPoll struct {
	Kind     string `json:"kind"`
	Async    bool   `json:"async"`
	Messages int    `json:"messages"`
	Bytes    int    `json:"bytes"`
}

// jsonGroups lists the groups the session joined.
type jsonGroups struct {
	Kind   string   `json:"kind"`
	Groups []string `json:"groups"`
}

// jsonAsync reports whether messages are printed as they arrive.
type jsonAsync struct {
	Kind  string `json:"kind"`
	Async bool   `json:"async"`
}

// jsonBye ends the session: {"kind":"bye"}.
type jsonBye struct {
	Kind string `json:"kind"`
}
