package cli

import (
	"bufio"
	"io"
	"strings"
)

// lineScanner reads lines of any length (bufio.Scanner stops at 64 KiB,
// and a message can be 144000 bytes).
type lineScanner struct {
	r *bufio.Reader
}

func newLineScanner(r io.Reader) *lineScanner { return &lineScanner{r: bufio.NewReader(r)} }

// next returns the next line without its newline (and a CR before it);
// io.EOF when nothing is left.
func (s *lineScanner) next() (string, error) {
	line, err := s.r.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", err
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}
