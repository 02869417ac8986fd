package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive/site"
)

func newBuildCmd(a *app) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Write the archive site as static files",
		Long: `Write the archive site as static files for any static host: the same pages
as serve, byte for byte, with a 404.html. A static site cannot search or
take subscriptions: with newsletter.server_url set to a running mailbag
serve, its pages' forms go there; without, they have none. The new build
replaces the output folder only once it is complete, and only if that
folder is empty or holds an earlier build.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := a.open()
			if err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join(n.home.Dir, "public")
			}
			if err := site.CheckBuildDir(out); err != nil {
				return fmt.Errorf("%w (choose another --out)", err)
			}
			t, err := n.templates()
			if err != nil {
				return err
			}
			x, err := a.openIndex(cmd.Context(), n)
			if err != nil {
				return err
			}
			defer x.Close()
			o := n.siteOptions(site.Options{Index: x, Templates: t, Log: a.log, Now: a.now, Static: true, ServerURL: n.cfg.Newsletter.ServerURL})
			s, err := site.New(o)
			if err != nil {
				return err
			}
			start := time.Now()
			stats, err := s.Build(out)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Wrote %s to %s in %v\n", plural(stats.Files, "file"), out, time.Since(start).Round(time.Millisecond))
			if o.ServerURL == "" {
				fmt.Fprintln(a.stdout, "The pages have no search and no subscribe form: set newsletter.server_url to a running mailbag serve to have them.")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the folder to write (default: public/ in the home)")
	return cmd
}
