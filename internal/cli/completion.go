package cli

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// historyPath is where the interactive shell keeps its history:
// $SPGO_HISTORY, else $XDG_STATE_HOME/spgo/history, else ~/.spgo_history;
// "" for none (SPGO_HISTORY=/dev/null, as psql's and redis-cli's history
// variables are turned off).
func historyPath(f *Factory) string {
	if p := f.Getenv("SPGO_HISTORY"); p != "" {
		if p == os.DevNull {
			return ""
		}
		return p
	}
	if d := f.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "spgo", "history")
	}
	if h := f.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".spgo_history")
	}
	return ""
}

// historyGroups returns the group names seen in the shell's history
// (arguments of join, leave, send, multiline and burst), most recent first.
func historyGroups(path string) []string {
	if path == "" {
		return nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer fh.Close()
	var order []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		groups := groupArgs(fields[1:])
		switch shellAlias(fields[0]) {
		case "join", "leave", "send", "multiline":
		case "burst": // GROUP [SIZE [COUNT]]
			groups = groups[:min(1, len(groups))]
		default:
			continue
		}
		order = append(order, groups...)
	}
	seen := map[string]bool{}
	var out []string
	for i := len(order) - 1; i >= 0; i-- {
		if !seen[order[i]] {
			seen[order[i]] = true
			out = append(out, order[i])
		}
	}
	return out
}

// groupArgs picks the group names out of a shell command's arguments:
// not flags, not a flag's value, nothing after "--".
func groupArgs(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		g := args[i]
		switch {
		case g == "--":
			return out
		case g == "-S" || g == "--service" || g == "-t" || g == "--type":
			i++ // the flag's value is no group
		case strings.HasPrefix(g, "-") || checkJoinGroup(g) != nil:
		default:
			out = append(out, g)
		}
	}
	return out
}

// completeGroups completes group arguments from the shell's history.
func completeGroups(f *Factory) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, g := range historyGroups(historyPath(f)) {
			if strings.HasPrefix(g, toComplete) && !slices.Contains(args, g) {
				out = append(out, g)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
