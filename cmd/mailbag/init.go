package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"mailbag/internal/home"
)

func newInitCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Make a new newsletter home (default: the current folder)",
		Long: `Make a new newsletter home in DIR (default: the current folder): mailbag.toml
with every setting written out and commented, posts/, drafts/ and .mailbag/.
It refuses to touch a folder that is already a home.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			h, err := home.Init(dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Made a newsletter home in %s\n", h.Dir)
			fmt.Fprintf(a.stdout, "Next: edit %s, then `mailbag import PATH` to bring in existing posts.\n", h.Settings())
			return nil
		},
	}
}
