package flood

// AgentResult is one agent of a flood across hosts (pkg/flood/agent), and
// what its part of each service type's flood gave.
type AgentResult struct {
	Name    string `json:"name"` // its private group
	Host    string `json:"host"`
	Daemon  string `json:"daemon"`
	Version string `json:"version"`
	Role    string `json:"role"` // "1 sender", "2 receivers", "idle"...
	// Senders and Receivers are the sessions of each role it ran.
	Senders   int         `json:"senders"`
	Receivers int         `json:"receivers"`
	Garbage   int64       `json:"garbage"` // control messages it could not read
	Services  []AgentPart `json:"services"`
}

// AgentPart is an agent's part of one service type's flood.
type AgentPart struct {
	Service string `json:"service"`
	// Sent is what its senders sent (0 for an agent without senders: a
	// receivers' agent does not know what was sent).
	Sent      int64   `json:"sent"`
	Delivered int64   `json:"delivered"`
	MsgRate   float64 `json:"msgs_per_sec"` // a senders' agent: its send rate
	Latency   Latency `json:"latency"`
	Lost      int64   `json:"lost"`
	Verdict   Verdict `json:"verdict"`
}
