package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// editorCommand returns the author's editor: $VISUAL, else $EDITOR, else vi.
func editorCommand() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := os.Getenv(v); e != "" {
			return e
		}
	}
	return "vi"
}

// lineEditors open a file at a line given as +N before it.
var lineEditors = map[string]bool{"vi": true, "vim": true, "nvim": true, "nano": true, "emacs": true, "emacsclient": true,
	"micro": true, "kak": true, "joe": true, "jed": true, "mg": true, "ne": true}

// edit opens path in the author's editor and waits for it.
func edit(ctx context.Context, path string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := editorCmd(ctx, path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("editor %q: %w (the draft is kept: %s)", editorCommand(), err, path)
	}
	return nil
}

// editorCmd returns the author's editor on path; an editor that takes +N opens
// at the line to write on (the placeholder). The editor setting may hold
// arguments ("code --wait"), so it runs through sh.
func editorCmd(ctx context.Context, path string) *exec.Cmd {
	editor := editorCommand()
	at := ""
	if fields := strings.Fields(editor); len(fields) > 0 && lineEditors[filepath.Base(fields[0])] {
		if n := placeholderLine(path); n > 0 {
			at = " +" + strconv.Itoa(n)
		}
	}
	return exec.CommandContext(ctx, "sh", "-c", editor+at+` "$1"`, "sh", path)
}

// placeholderLine returns the line of the draft at path that holds the
// placeholder, where the answer goes: the first line that is one bracketed
// sentence ("[Write your answer here.]", "[Écrivez votre réponse ici.]"),
// in whatever language the draft was made; 0 when it has none.
func placeholderLine(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for i, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(line); len(t) > 2 && strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") && !strings.Contains(t[1:len(t)-1], "]") {
			return i + 1
		}
	}
	return 0
}
