package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise it comes from the module's build information.
var version = ""

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and commit mailbag was built from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(a.stdout, versionLine())
			return nil
		},
	}
}

// versionLine says what this binary is, from its build information: the
// module version, the VCS commit and its time (and whether the tree had
// changes), and the Go that built it. `mailbag version` and `--version`
// print it.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "mailbag " + orDevel(version)
	}
	v := version
	if v == "" {
		v = bi.Main.Version
	}
	var commit, when string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	var parts []string
	if commit != "" {
		parts = append(parts, "commit "+commit[:min(12, len(commit))])
	}
	if when != "" {
		parts = append(parts, when)
	}
	if modified {
		parts = append(parts, "with uncommitted changes")
	}
	parts = append(parts, bi.GoVersion)
	return fmt.Sprintf("mailbag %s (%s)", orDevel(v), strings.Join(parts, ", "))
}

// orDevel returns v, or "devel" for a build with no version.
func orDevel(v string) string {
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}
