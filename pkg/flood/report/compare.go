package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/jedib0t/go-pretty/v6/table"

	"github.com/spgo/spgo/pkg/flood/bench"
)

// CompareText writes a comparison as a table, one row per point and unit
// (old and new median ± CI, the change or "~" when it is not
// significant, the p-value and run counts), then its notes.
func CompareText(w io.Writer, c bench.Comparison) {
	t := compareTable(w, c)
	t.Render()
	compareNotes(w, c, "")
}

// CompareMarkdown writes the comparison as CompareText does, as a
// Markdown table (for a pull-request comment).
func CompareMarkdown(w io.Writer, c bench.Comparison) {
	t := compareTable(w, c)
	t.RenderMarkdown()
	fmt.Fprintln(w)
	compareNotes(w, c, "- ")
}

// CompareJSON writes the comparison as one JSON object on one line.
func CompareJSON(w io.Writer, c bench.Comparison) error {
	return json.NewEncoder(w).Encode(c)
}

// compareTable is the comparison's table, not yet rendered.
func compareTable(w io.Writer, c bench.Comparison) table.Writer {
	t := newTable(w, table.Row{"POINT", "UNIT", "OLD", "NEW", "CHANGE", "P"})
	for _, ch := range c.Changes {
		t.AppendRow(table.Row{strings.TrimPrefix(ch.Key.BenchName(), "Flood/"), ch.Unit,
			SummaryCell(ch.Unit, ch.Old, true), SummaryCell(ch.Unit, ch.New, true), ChangeCell(ch), pCell(ch)})
	}
	t.SetColumnConfigs(rightAligned(3, 6))
	return t
}

// ChangeCell is the change as benchstat writes it: "~" when it is not
// significant, else the change of the medians in percent.
func ChangeCell(ch bench.Change) string {
	if !ch.Significant {
		return "~"
	}
	return fmt.Sprintf("%+.2f%%", ch.Delta)
}

// pCell is the p-value and the run counts, as benchstat writes them.
func pCell(ch bench.Change) string {
	n := fmt.Sprintf("n=%d+%d", ch.Old.N, ch.New.N)
	if ch.Old.N == ch.New.N {
		n = fmt.Sprintf("n=%d", ch.Old.N)
	}
	return fmt.Sprintf("p=%.3f %s", ch.P, n)
}

// compareNotes writes what the table cannot say: runs too few to tell,
// configurations that differ, points only one side has. Each line starts
// with prefix.
func compareNotes(w io.Writer, c bench.Comparison, prefix string) {
	var notes []string
	for _, ch := range c.Changes {
		for _, n := range []string{ch.Note, ch.Old.Note, ch.New.Note} {
			if n != "" && !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	for _, n := range notes {
		fmt.Fprintf(w, "%snote: %s\n", prefix, n)
	}
	for _, d := range c.ConfigDiffs {
		fmt.Fprintf(w, "%snote: the runs differ in %s: %q (old) vs %q (new)\n", prefix, d.Key, d.Old, d.New)
	}
	for _, k := range c.OnlyOld {
		fmt.Fprintf(w, "%snote: only the old runs have %s\n", prefix, k.BenchName())
	}
	for _, k := range c.OnlyNew {
		fmt.Fprintf(w, "%snote: only the new runs have %s\n", prefix, k.BenchName())
	}
}
