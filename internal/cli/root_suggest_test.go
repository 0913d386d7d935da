package cli

import (
	"strings"
	"testing"
)

// A mistyped command gets the error and the suggestion on lines of their
// own and a pointer to --help, not a tab-joined line and the whole usage.
func TestUnknownCommandSuggestsOnItsOwnLine(t *testing.T) {
	f, _ := testFactory(t, nil)
	code, _, stderr := execRoot(t, f, "lisen")
	want := "spgo: unknown command \"lisen\" for \"spgo\"\nDid you mean this? listen\nRun 'spgo --help' for the list of commands.\n"
	if code != ExitUsage || stderr != want {
		t.Errorf("code %d, stderr %q, want code %d and %q", code, stderr, ExitUsage, want)
	}
}

// An unsupported shell is a usage error naming the supported ones.
func TestCompletionUnknownShellIsUsageError(t *testing.T) {
	f, _ := testFactory(t, nil)
	code, stdout, stderr := execRoot(t, f, "completion", "tcsh")
	if code != ExitUsage || stdout != "" ||
		!strings.HasPrefix(stderr, `spgo: completion for "tcsh" is not supported: use bash, fish, powershell or zsh`) ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	f, _ = testFactory(t, nil)
	if code, stdout, _ := execRoot(t, f, "completion", "bash"); code != ExitOK || !strings.Contains(stdout, "bash completion") {
		t.Errorf("completion bash: code %d, output starts %.80q", code, stdout)
	}
}
