package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"mailbag/internal/config"
	"mailbag/internal/home"
)

func newInitCmd(a *app) *cobra.Command {
	var lang string
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Make a new newsletter home (default: the current folder)",
		Long: `Make a new newsletter home in DIR (default: the folder --home names, else
the current folder): mailbag.toml
with every setting written out and commented, posts/, drafts/ and .mailbag/.
It refuses to touch a folder that is already a home. --language writes
newsletter.language: the language the posts are written in.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := initDir(a.homeFlag, args)
			if err != nil {
				return err
			}
			if err := config.CheckLanguage(lang); err != nil {
				return fmt.Errorf("%w (--language)", err)
			}
			h, err := home.Init(dir)
			if err != nil {
				return err
			}
			if lang != "en" {
				if err := editSettings(h.Settings(), map[string]string{"newsletter.language": lang}); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.stdout, "Made a newsletter home in %s\n", h.Dir)
			fmt.Fprintf(a.stdout, "Next: edit %s, then `mailbag import PATH` to bring in existing posts.\n", h.Settings())
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "language", "en", "the language the posts are written in, a BCP 47 tag such as fr or pt-BR")
	return cmd
}

// initDir returns the folder init makes the home in: DIR, else the one
// --home names, else the current folder. DIR and --home naming two
// folders is an error: the user meant one of them.
func initDir(homeFlag string, args []string) (string, error) {
	switch {
	case len(args) == 0 && homeFlag != "":
		return homeFlag, nil
	case len(args) == 0:
		return ".", nil
	case homeFlag != "" && filepath.Clean(homeFlag) != filepath.Clean(args[0]):
		return "", fmt.Errorf("init: --home %s and DIR %s name two folders; give one of them", homeFlag, args[0])
	}
	return args[0], nil
}
