package cli

import (
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// A one-letter flag means one thing wherever it appears, except where a
// tool spgo stands in for (spflooder, spuser) gave the letter its own
// meaning first; every such letter is in the README's "Flag letters"
// table with each of its meanings, so a new double meaning cannot slip
// in unexplained.
func TestFlagLettersDocumented(t *testing.T) {
	f, _ := testFactory(t, nil)
	root := NewCmdRoot(f)
	meanings := map[string][]string{} // letter -> long names
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.InitDefaultVersionFlag()
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			if fl.Shorthand != "" && !slices.Contains(meanings[fl.Shorthand], fl.Name) {
				meanings[fl.Shorthand] = append(meanings[fl.Shorthand], fl.Name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n### Flag letters\n")
	if !ok {
		t.Fatal(`README has no "### Flag letters" section`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	var letters []string
	for l := range meanings {
		letters = append(letters, l)
	}
	sort.Strings(letters)
	for _, l := range letters {
		names := meanings[l]
		if len(names) < 2 {
			continue
		}
		row := rowOf(section, "`-"+l+"`")
		for _, name := range names {
			if !strings.Contains(row, "`--"+name+"`") {
				t.Errorf("-%s means --%s here, and the README's Flag letters row for -%s does not say so: %q", l, name, l, row)
			}
		}
	}
}

// rowOf is the table row of section that starts with cell.
func rowOf(section, cell string) string {
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| "+cell+" ") {
			return line
		}
	}
	return ""
}
