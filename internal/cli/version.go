package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/internal/buildinfo"
	"github.com/spgo/spgo/pkg/spread"
)

// VersionOptions are the flags of `spgo version`.
type VersionOptions struct {
	Factory *Factory
	Output  string
}

// versionReport is what `spgo version` prints; -o json is this struct.
type versionReport struct {
	buildinfo.Info
	Protocol string `json:"protocol"` // Spread protocol version spoken, e.g. 4.4.0
}

func newVersionReport() versionReport {
	major, minor, patch := spread.Version()
	return versionReport{Info: buildinfo.Read(), Protocol: fmt.Sprintf("%d.%d.%d", major, minor, patch)}
}

// NewCmdVersion builds `spgo version`.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print spgo's version, build and the Spread protocol it speaks",
		Long: `Print the version of spgo (the module version "go install ...@VERSION"
stamps, or "devel" with the revision of a local build), the commit and its
time, the Go toolchain and the Spread protocol version spgo speaks.
"spgo --version" prints the same text.`,
		Example: `  spgo version
  spgo version -o json | jq -r .version`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	addOutputFlag(cmd, &opts.Output)
	return cmd
}

func versionRun(opts *VersionOptions) error {
	r := newVersionReport()
	out := opts.Factory.IOStreams.Out
	if opts.Output == OutputJSON {
		return writeJSONLine(out, r)
	}
	_, err := io.WriteString(out, r.text())
	return err
}

// text is the human form, also cobra's --version output.
func (r versionReport) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "spgo %s\n", r.Version)
	commit := r.Commit
	if commit == "" {
		commit = "unknown"
	}
	if r.Modified {
		commit += " (modified)"
	}
	fmt.Fprintf(&b, "  commit:    %s\n", commit)
	if r.CommitTime != "" {
		fmt.Fprintf(&b, "  committed: %s\n", r.CommitTime)
	}
	fmt.Fprintf(&b, "  go:        %s %s\n", r.GoVersion, r.Platform)
	fmt.Fprintf(&b, "  protocol:  Spread %s\n", r.Protocol)
	return b.String()
}

// setVersionFlag makes `spgo --version` print what `spgo version` prints.
// It has no short form: -v means --verbose wherever it exists (send), not
// the version cobra would give it on the root alone.
func setVersionFlag(root *cobra.Command) {
	r := newVersionReport()
	root.Version = r.Version
	root.Flags().Bool("version", false, "print spgo's version and build (what spgo version prints)")
	// The template is literal text: nothing in the report contains "{{".
	root.SetVersionTemplate(strings.ReplaceAll(r.text(), "{{", "{ {"))
}
