package wire

import "fmt"

// FrameError reports a frame that cannot be decoded or encoded: which field
// was wrong, the value found and, where one applies, the limit it broke.
type FrameError struct {
	Frame string // "header", "membership body", "hello", ...
	Field string // "data_len", "num_groups", "type", ...
	Value int64
	Limit int64 // 0 when no numeric limit applies
	Msg   string
}

func (e *FrameError) Error() string {
	s := fmt.Sprintf("spread wire: %s: %s", e.Frame, e.Field)
	if e.Msg != "" {
		s += " " + e.Msg
	}
	if e.Limit != 0 {
		return fmt.Sprintf("%s (got %d, limit %d)", s, e.Value, e.Limit)
	}
	return fmt.Sprintf("%s (got %d)", s, e.Value)
}

// ShortError reports input that ends before a frame is complete.
type ShortError struct {
	Frame string
	Need  int
	Have  int
}

func (e *ShortError) Error() string {
	return fmt.Sprintf("spread wire: %s: need %d bytes, have %d", e.Frame, e.Need, e.Have)
}

func short(frame string, need, have int) error {
	return &ShortError{Frame: frame, Need: need, Have: have}
}
