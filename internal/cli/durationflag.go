package cli

import (
	"regexp"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// One rule for every duration flag of every command: a length of time is
// 0 or more. pflag parses "-5s" as readily as "5s", so checkDurations
// refuses a negative value before any command runs (the root command's
// pre-run), whichever flag it came in, and no command checks its own.

// checkDurations refuses the first duration flag of cmd given a negative
// value, naming the flag, the value and what is allowed.
func checkDurations(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil || f.Value.Type() != "duration" {
			return
		}
		d, perr := time.ParseDuration(f.Value.String())
		switch {
		case perr != nil:
		case d < 0 && f.Annotations[positiveAnnotation] != nil:
			err = usageErrorf("invalid --%s %v: allowed is more than 0", f.Name, d)
		case d < 0:
			err = usageErrorf("invalid --%s %v: allowed is 0%s or more", f.Name, d, zeroMeaning(f.Usage))
		}
	})
	return err
}

// positiveAnnotation marks the duration flags for which 0 is no answer
// either (a pause, a time to wait for an answer): their commands refuse 0
// in their own terms, and a negative value is told "more than 0".
const positiveAnnotation = "spgo-positive-duration"

// positiveDurations marks the named flags of cmd as taking more than 0.
func positiveDurations(cmd *cobra.Command, names ...string) {
	for _, name := range names {
		_ = cmd.Flags().SetAnnotation(name, positiveAnnotation, []string{"true"})
	}
}

// zeroNote finds what 0 means in a flag's help: "(0: no limit)", or the
// part before a semicolon, "(0: none; connecting alone is limited...)".
var zeroNote = regexp.MustCompile(`\(0: ([a-z][^);]*)[);]`)

// zeroMeaning is " (no limit)" for a flag whose help says what 0 means in
// words, else "" (a default told as a length of time, "(0: 10s)", is no
// meaning of 0 a reader needs in the error).
func zeroMeaning(usage string) string {
	if m := zeroNote.FindStringSubmatch(usage); m != nil {
		return " (" + m[1] + ")"
	}
	return ""
}
