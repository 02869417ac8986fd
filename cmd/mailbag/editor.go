package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// editorCommand is the author's editor: $VISUAL, else $EDITOR, else vi.
func editorCommand() string {
	for _, v := range []string{"VISUAL", "EDITOR"} {
		if e := os.Getenv(v); e != "" {
			return e
		}
	}
	return "vi"
}

// edit opens path in the author's editor and waits for it. The editor
// setting may hold arguments ("code --wait"), so it runs through sh.
func edit(ctx context.Context, path string, stdin io.Reader, stdout, stderr io.Writer) error {
	editor := editorCommand()
	cmd := exec.CommandContext(ctx, "sh", "-c", editor+` "$1"`, "sh", path)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("editor %q: %w (the draft is kept: %s)", editor, err, path)
	}
	return nil
}
