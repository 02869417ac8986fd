package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Secret returns a password named in the settings: what command prints on
// stdout (run with sh -c, one trailing newline dropped), or, with no
// command, the value of the environment variable env, or "" when both are
// empty. A command wins over env: init writes password_env, and an author
// who sets password_command means it. what names the secret in errors
// ("imap password"). An unset or empty variable, or a command that fails or
// prints nothing, is an error.
func Secret(ctx context.Context, what, env, command string) (string, error) {
	switch {
	case command == "" && env != "":
		v, ok := os.LookupEnv(env)
		if !ok || v == "" {
			return "", fmt.Errorf("config: %s: environment variable %s is not set", what, env)
		}
		return v, nil
	case command != "":
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, "sh", "-c", command)
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			msg := strings.TrimSpace(stderr.String())
			if msg != "" {
				err = errors.New(msg)
			}
			return "", fmt.Errorf("config: %s: command %q failed: %w", what, command, err)
		}
		v := strings.TrimSuffix(strings.TrimSuffix(string(out), "\n"), "\r")
		if v == "" {
			return "", fmt.Errorf("config: %s: command %q printed nothing", what, command)
		}
		return v, nil
	}
	return "", nil
}
