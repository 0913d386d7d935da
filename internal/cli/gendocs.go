package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
	"github.com/spf13/pflag"
)

// docsFallbackDate dates the man pages when neither SOURCE_DATE_EPOCH nor
// git can say when the source last changed (a tarball without history).
var docsFallbackDate = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// newCmdGenDocs builds the hidden `spgo gen-docs`, which writes markdown
// and man pages of the whole command tree (make docs). The output depends
// only on the source: the man pages' date is the source's (see docsDate),
// and defaults taken from the environment are shown as built in.
func newCmdGenDocs(f *Factory) *cobra.Command {
	var dir string
	var noMan bool
	cmd := &cobra.Command{
		Use:    "gen-docs --dir DIR",
		Short:  "Write markdown and man pages for every command",
		Hidden: true,
		Args:   noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return usageErrorf("--dir is required")
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true
			builtInDefaults(root)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			if err := doc.GenMarkdownTree(root, dir); err != nil {
				return fmt.Errorf("markdown: %w", err)
			}
			if noMan {
				return nil
			}
			man := filepath.Join(dir, "man")
			if err := os.MkdirAll(man, 0o755); err != nil {
				return err
			}
			date, err := docsDate(f.Getenv, lastCommitTime)
			if err != nil {
				return invalidValue(err)
			}
			hdr := &doc.GenManHeader{Title: "SPGO", Section: "1", Source: "spgo", Manual: "spgo manual", Date: &date}
			if err := doc.GenManTree(root, hdr, man); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			fmt.Fprintf(f.IOStreams.ErrOut, "wrote markdown to %s and man pages to %s\n", dir, man)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "output directory")
	cmd.Flags().BoolVar(&noMan, "no-man", false, "markdown only")
	_ = cmd.MarkFlagDirname("dir")
	return cmd
}

// docsDate is when the documented source last changed, the reproducible
// builds way: $SOURCE_DATE_EPOCH if set, else the last commit's date, else
// a fixed date. Never the time of the run, so an unchanged tree
// regenerates the same pages.
func docsDate(getenv func(string) string, lastCommit func() (time.Time, error)) (time.Time, error) {
	if v := strings.TrimSpace(getenv("SOURCE_DATE_EPOCH")); v != "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs < 0 {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: allowed is a count of seconds since 1970", v)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	if t, err := lastCommit(); err == nil {
		return t.UTC(), nil
	}
	return docsFallbackDate, nil
}

// lastCommitTime asks git for the committer date of HEAD.
func lastCommitTime() (time.Time, error) {
	out, err := exec.Command("git", "log", "-1", "--format=%ct").Output()
	if err != nil {
		return time.Time{}, err
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("git log: %q is not a time", out)
	}
	return time.Unix(secs, 0), nil
}

// builtInDefaults shows the built-in default of flags whose default comes
// from the environment ($SPGO_SERVER for --server), so the generated pages
// do not depend on who runs make docs.
func builtInDefaults(c *cobra.Command) {
	c.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Name == "server" {
			fl.DefValue = DefaultServer
		}
	})
	for _, sub := range c.Commands() {
		builtInDefaults(sub)
	}
}
