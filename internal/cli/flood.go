package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newCmdFlood is a placeholder; the flood helper replaces this file.
func newCmdFlood(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "flood",
		Short: "Flood benchmark (not yet implemented)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("flood: not implemented yet")
		},
	}
}
