package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// floodDeprecated are flood's flags that say again what another says, and
// the flag to use instead. They keep working, hidden from --help, and a
// run that uses one is told the other.
var floodDeprecated = []struct{ flag, use string }{
	{"embedded-nodes", "--nodes N"},
	{"sender-node", "--senders-at dK"},
	{"receiver-node", "--receivers-at dK"},
	{"receiver-server", "--receivers-at DAEMON"},
}

// hideFloodShorthands hides the repeated flags from --help and the docs.
// cobra's MarkDeprecated would also hide them, but it prints its notice
// to the command's output, which is stdout here: that would break -o json
// and -o gobench, so noteFloodDeprecated says it on stderr instead.
func hideFloodShorthands(cmd *cobra.Command) {
	for _, d := range floodDeprecated {
		_ = cmd.Flags().MarkHidden(d.flag)
	}
}

// noteFloodDeprecated tells on stderr, for each repeated flag given, the
// flag to use.
func noteFloodDeprecated(cmd *cobra.Command) {
	for _, d := range floodDeprecated {
		if cmd.Flags().Changed(d.flag) {
			fmt.Fprintf(cmd.ErrOrStderr(), "note: --%s is deprecated; use %s\n", d.flag, d.use)
		}
	}
}
