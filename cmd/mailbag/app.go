package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"mailbag/archive"
	"mailbag/internal/config"
	"mailbag/internal/home"
	"mailbag/internal/visible"
	"mailbag/publish"
	"mailbag/publish/mailinglist"
	"mailbag/templates"
)

// app holds what every command needs: the streams, the global flags, and
// the newsletter home once found.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	homeFlag  string
	logFormat string
	verbose   bool

	log *slog.Logger
	// database is the state database of the home opened, for errors
	// that do not name it.
	database string
	// logSay makes say log at info level instead of printing: a service
	// (mailbag run) keeps one stream of log lines.
	logSay bool
	// now is the one clock of every command: what records or compares
	// time gets it.
	now func() time.Time
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "mailbag",
		Short: "Run an email Q&A newsletter from the terminal",
		Long: `mailbag runs an email Q&A newsletter: readers email questions, you answer
them from the terminal as dated Markdown posts, and every answer lands in a
searchable archive.

Commands find the newsletter home from the current folder upwards (like git),
or from --home or $MAILBAG_HOME.`,
		Version:       versionLine(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return a.setup()
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := root.PersistentFlags()
	f.StringVar(&a.homeFlag, "home", "", "newsletter home folder (default: $MAILBAG_HOME, else the current folder or one above it)")
	f.StringVar(&a.logFormat, "log-format", "text", "log format on stderr: text or json")
	f.BoolVarP(&a.verbose, "verbose", "v", false, "log more")
	root.AddCommand(
		newInitCmd(a),
		newImportCmd(a),
		newReindexCmd(a),
		newSearchCmd(a),
		newSearchesCmd(a),
		newSendsCmd(a),
		newIngestCmd(a),
		newQuestionsCmd(a),
		newInboxCmd(a),
		newShowCmd(a),
		newAnswerCmd(a),
		newRejectCmd(a),
		newReopenCmd(a),
		newDraftsCmd(a),
		newPublishCmd(a),
		newSubscribersCmd(a),
		newSendCmd(a),
		newServeCmd(a),
		newRunCmd(a),
		newScheduleCmd(a),
		newBuildCmd(a),
		newDemoCmd(a),
		newVersionCmd(a),
	)
	return root
}

// setup builds the logger from the flags.
func (a *app) setup() error {
	level := slog.LevelInfo
	if a.verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	switch a.logFormat {
	case "text":
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	case "json":
		a.log = slog.New(slog.NewJSONHandler(visible.JSONWriter{W: a.stderr}, opts))
	default:
		return usageError{fmt.Errorf("--log-format %q is not text or json", a.logFormat)}
	}
	// bleve reports with the standard logger what it does not return (a
	// segment file it could not remove because another of its goroutines
	// already had): into mailbag's log at debug level, not bare on stderr.
	log.SetFlags(0)
	log.SetOutput(debugLog{a.log})
	return nil
}

// debugLog writes each line it is given to l at debug level.
type debugLog struct{ l *slog.Logger }

func (d debugLog) Write(p []byte) (int, error) {
	d.l.Debug(strings.TrimSpace(string(p)), "from", "bleve")
	return len(p), nil
}

// newsletter is an open newsletter home with its settings.
type newsletter struct {
	home  home.Home
	cfg   *config.Config
	posts *archive.Posts
	now   func() time.Time
	tmpl  *templates.Set // loaded by templates()
}

// templates parses every template, built-in and the home's overrides,
// once: commands that mail or render call it as they start, so that a
// broken override stops them at once, named by file and line.
func (n *newsletter) templates() (*templates.Set, error) {
	if n.tmpl != nil {
		return n.tmpl, nil
	}
	t, err := templates.Load(templates.Options{Overrides: n.home.Templates(), Funcs: publish.TemplateFuncs, Language: n.cfg.Newsletter.Language})
	if err != nil {
		return nil, err
	}
	n.tmpl = t
	return t, nil
}

// warnExamples warns, for send and serve, about settings still at the
// example values init wrote: links and replies would go to example.org.
func (a *app) warnExamples(n *newsletter) {
	def := config.Default().Newsletter
	c := n.cfg.Newsletter
	if c.BaseURL == def.BaseURL {
		a.log.Warn("newsletter.base_url is still the example value: links in mail and feeds lead to it; set the site's address in mailbag.toml", "base_url", c.BaseURL)
	}
	if c.Address == def.Address {
		a.log.Warn("newsletter.address is still the example value: mail goes out from it and replies go to it; set the newsletter's address in mailbag.toml", "address", c.Address)
	}
}

// list returns what the list mail says of the newsletter.
func (n *newsletter) list() mailinglist.Newsletter {
	c := n.cfg.Newsletter
	return mailinglist.Newsletter{Title: c.Title, Address: c.Address, BaseURL: c.BaseURL}
}

// open finds the newsletter home (--home, $MAILBAG_HOME, else the current
// folder upwards) and loads its settings.
func (a *app) open() (*newsletter, error) {
	var (
		h   home.Home
		err error
	)
	switch dir := a.homeDir(); {
	case dir != "":
		h, err = home.Open(dir)
	default:
		h, err = home.Find(".")
	}
	if errors.Is(err, home.ErrNoHome) {
		return nil, fmt.Errorf("%w (run `mailbag init DIR` to make one, or pass --home)", err)
	}
	if err != nil {
		return nil, err
	}
	a.database = h.Database()
	cfg, err := config.Load(h.Settings())
	if err != nil {
		return nil, err
	}
	return &newsletter{
		home:  h,
		cfg:   cfg,
		posts: &archive.Posts{Dir: h.Posts(), Location: cfg.Location, Language: cfg.Newsletter.Language},
		now:   a.now,
	}, nil
}

// path resolves a path from the settings: relative paths are relative to
// the home; "" stays "".
func (n *newsletter) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(n.home.Dir, p)
}

// homeDir returns the home named by --home or $MAILBAG_HOME, "" when neither.
func (a *app) homeDir() string {
	if a.homeFlag != "" {
		return a.homeFlag
	}
	return os.Getenv("MAILBAG_HOME")
}

// oneLine joins the lines of an error (errors.Join makes several).
func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}

// say tells the author what a command did: a line on stdout, or, in a
// service (logSay), a line of the log.
func (a *app) say(format string, args ...any) {
	if a.logSay {
		a.log.Info(strings.TrimSuffix(fmt.Sprintf(format, args...), "\n"))
		return
	}
	fmt.Fprintf(a.stdout, format, args...)
}
