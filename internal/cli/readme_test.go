package cli

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The README's agents table shows what report.AgentTable prints: a
// sender's MSG/S is its send rate, never 0 for a sender that sent.
func TestREADMEAgentTableSenderRate(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	senders := 0
	for _, line := range strings.Split(string(readme), "\n") {
		cells := tableCells(line)
		if len(cells) > 1 && cells[1] == "AGENT" {
			header = cells
			continue
		}
		if header == nil || len(cells) != len(header) {
			continue
		}
		row := map[string]string{}
		for i, h := range header {
			row[h] = cells[i]
		}
		if !strings.HasSuffix(row["ROLE"], " sender") && !strings.HasSuffix(row["ROLE"], " senders") {
			continue
		}
		senders++
		if row["SENT"] != "0" && row["MSG/S"] == "0" {
			t.Errorf("README agents table: a sender that sent %s messages shown at 0 msg/s: %q", row["SENT"], line)
		}
	}
	if senders == 0 {
		t.Fatal("no sender row in the README's agents table")
	}
}

// tableCells splits a row of a box-drawn table into its trimmed cells.
func tableCells(line string) []string {
	if !strings.HasPrefix(line, "│") {
		return nil
	}
	parts := strings.Split(strings.Trim(line, "│"), "│")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// The README's exit-code table lists exactly the codes --help lists.
func TestREADMEExitCodesTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "\n| Code | Meaning |\n|---|---|\n")
	if !ok {
		t.Fatal(`README has no "| Code | Meaning |" table`)
	}
	inREADME := map[int]bool{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| ") {
			break
		}
		code, err := strconv.Atoi(strings.TrimSpace(strings.Split(line, "|")[1]))
		if err != nil {
			t.Fatalf("README exit-code row %q: %v", line, err)
		}
		inREADME[code] = true
	}
	for _, e := range exitCodeMeanings {
		if !inREADME[e.code] {
			t.Errorf("exit code %d (%s) is not in the README's table", e.code, strings.ReplaceAll(e.meaning, "\n", " "))
		}
		delete(inREADME, e.code)
	}
	for code := range inREADME {
		t.Errorf("the README's table has exit code %d, which --help does not list", code)
	}
}
