package flood

import (
	"math/bits"
)

// streamCheck follows one sender's sequence numbers at one receiver: which
// arrived (a bitmap, so lateness and duplicates are exact), the highest
// seen, and how many arrived behind a higher one.
type streamCheck struct {
	seen       []uint64 // bit per sequence number
	next       uint32   // one past the highest sequence number seen
	distinct   int64
	duplicates int64
	outOfOrder int64 // arrived after a higher sequence number
}

func (s *streamCheck) observe(seq uint32) {
	w := int(seq / 64)
	if w >= len(s.seen) {
		n := max(2*len(s.seen), w+1, 16)
		s.seen = append(s.seen, make([]uint64, n-len(s.seen))...)
	}
	bit := uint64(1) << (seq % 64)
	if s.seen[w]&bit != 0 {
		s.duplicates++
		return
	}
	s.seen[w] |= bit
	s.distinct++
	if seq+1 > s.next {
		s.next = seq + 1
	} else {
		s.outOfOrder++
	}
}

// missing counts sequence numbers below n never seen.
func (s *streamCheck) missing(n uint32) int64 {
	var have int64
	full := int(n / 64)
	for i := 0; i < full && i < len(s.seen); i++ {
		have += int64(bits.OnesCount64(s.seen[i]))
	}
	if rem := n % 64; rem != 0 && full < len(s.seen) {
		have += int64(bits.OnesCount64(s.seen[full] & (1<<rem - 1)))
	}
	return int64(n) - have
}

// Checker checks the stream of messages one receiver delivered: per sender
// (FIFO: sequence numbers rise by one) and, for the total order, a running
// hash of the whole delivery sequence that every receiver of the same
// messages must agree on.
type Checker struct {
	streams map[uint32]*streamCheck
	last    uint32
	lastS   *streamCheck
	// order is the FNV-1a hash of every (sender, seq) delivered, in
	// order: the same function in every process, so receivers in
	// different agents compare (a seeded hash would differ per process).
	order uint64
	count int64
}

// The 64-bit FNV-1a parameters.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// NewChecker returns an empty checker.
func NewChecker() *Checker {
	return &Checker{streams: make(map[uint32]*streamCheck), order: fnvOffset}
}

// Observe records the delivery of message seq of sender.
func (c *Checker) Observe(sender, seq uint32) {
	s := c.lastS
	if s == nil || sender != c.last {
		s = c.streams[sender]
		if s == nil {
			s = &streamCheck{}
			c.streams[sender] = s
		}
		c.last, c.lastS = sender, s
	}
	s.observe(seq)
	h, v := c.order, uint64(sender)|uint64(seq)<<32
	for range 8 {
		h = (h ^ v&0xff) * fnvPrime
		v >>= 8
	}
	c.order = h
	c.count++
}

// Next is one past the highest sequence number of sender seen (0: none).
func (c *Checker) Next(sender uint32) uint32 {
	if s := c.streams[sender]; s != nil {
		return s.next
	}
	return 0
}

// Check is what one receiver saw, against what was sent.
type Check struct {
	Delivered  int64 `json:"delivered"`
	Distinct   int64 `json:"distinct"`
	Lost       int64 `json:"lost"`
	Duplicated int64 `json:"duplicated"`
	OutOfOrder int64 `json:"out_of_order"`
	// OrderHash identifies the delivery sequence; receivers that delivered
	// the same messages in one total order have the same hash.
	OrderHash uint64 `json:"-"`
}

// Result compares what was observed with sent[i], the number of messages
// sender i sent (sequence numbers 0..sent[i]-1). A nil sent (remote senders
// of unknown count) takes each sender's highest sequence number seen.
func (c *Checker) Result(sent map[uint32]uint32) Check {
	r := Check{Delivered: c.count, OrderHash: c.order}
	for _, s := range c.streams {
		r.Distinct += s.distinct
		r.Duplicated += s.duplicates
		r.OutOfOrder += s.outOfOrder
		if sent == nil {
			r.Lost += s.missing(s.next)
		}
	}
	for id, n := range sent {
		s := c.streams[id]
		if s == nil {
			r.Lost += int64(n)
			continue
		}
		r.Lost += s.missing(n)
	}
	return r
}

// TotalOrderDisagreements counts receivers whose delivery sequence differs
// from the first receiver's, among receivers that delivered every message
// once (a receiver that lost messages is reported as loss instead).
func TotalOrderDisagreements(checks []Check) int {
	first := -1
	bad := 0
	for i, c := range checks {
		if c.Lost != 0 || c.Duplicated != 0 {
			continue
		}
		if first < 0 {
			first = i
			continue
		}
		if c.OrderHash != checks[first].OrderHash {
			bad++
		}
	}
	return bad
}
