package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newCmdGenDocs builds the hidden `spgo gen-docs`, which writes markdown
// and man pages of the whole command tree (make docs).
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
			hdr := &doc.GenManHeader{Title: "SPGO", Section: "1", Source: "spgo", Manual: "spgo manual"}
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
