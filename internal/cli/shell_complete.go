package cli

import (
	"slices"
	"strings"
)

// shellCompleter completes the shell's command names, group names (joined
// ones, then ones from history) and service types.
type shellCompleter struct {
	sh *shell
}

// Do implements readline.AutoCompleter: candidates are returned as the
// suffixes to add to the word under the cursor.
func (c *shellCompleter) Do(line []rune, pos int) ([][]rune, int) {
	words, word := splitForCompletion(string(line[:pos]))
	cands := c.candidates(words, word)
	out := make([][]rune, 0, len(cands))
	for _, cand := range cands {
		if strings.HasPrefix(cand, word) {
			out = append(out, []rune(cand[len(word):]+" "))
		}
	}
	return out, len([]rune(word))
}

// splitForCompletion returns the complete words before the cursor and the
// partial word under it.
func splitForCompletion(s string) (words []string, word string) {
	words = strings.Fields(s)
	if len(words) > 0 && !strings.HasSuffix(s, " ") {
		word = words[len(words)-1]
		words = words[:len(words)-1]
	}
	return words, word
}

func (c *shellCompleter) candidates(words []string, word string) []string {
	if len(words) == 0 {
		return shellCommandNames
	}
	cmd := shellAlias(words[0])
	last := words[len(words)-1]
	switch cmd {
	case "async":
		if len(words) == 1 {
			return []string{"on", "off"}
		}
		return nil
	case "send", "multiline", "burst":
		if last == "-S" || last == "--service" {
			return serviceNames
		}
		if strings.HasPrefix(word, "-") {
			return []string{"--service", "--type", "--self-discard"}
		}
		return c.groups(words[1:])
	case "leave":
		return without(c.sh.joinedGroups(), words[1:])
	case "join":
		var out []string
		for _, g := range historyGroups(c.sh.opts.History) {
			if !slices.Contains(c.sh.joinedGroups(), g) {
				out = append(out, g)
			}
		}
		return without(out, words[1:])
	}
	return nil
}

// groups offers joined groups first, then groups from history.
func (c *shellCompleter) groups(used []string) []string {
	out := c.sh.joinedGroups()
	for _, g := range historyGroups(c.sh.opts.History) {
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return without(out, used)
}

func without(list, drop []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(drop, s) {
			out = append(out, s)
		}
	}
	return out
}
