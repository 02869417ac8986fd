package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tmux is a tmux server of the test's own (its own socket), with one
// session running a program at a terminal of a given size: the way a test
// drives a terminal interface as a person at a terminal (or over SSH) does.
type Tmux struct {
	bin, socket, session string
}

// StartTmux starts program with args in a width x height terminal, with
// env added to the environment; the server is killed when the test ends.
func StartTmux(t testing.TB, width, height int, env []string, program string, args ...string) *Tmux {
	t.Helper()
	bin := need(t, "tmux", "tmux")
	tm := &Tmux{bin: bin, socket: filepath.Join(t.TempDir(), "tmux.sock"), session: "test"}
	cmdline := []string{"new-session", "-d", "-s", tm.session, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}
	for _, e := range env {
		cmdline = append(cmdline, "-e", e)
	}
	cmdline = append(cmdline, "-e", "TERM=xterm-256color", program)
	cmdline = append(cmdline, args...)
	tm.run(t, cmdline...)
	t.Cleanup(func() { exec.Command(tm.bin, "-S", tm.socket, "kill-server").Run() })
	// Keep the pane when the program exits, to read what it left.
	tm.run(t, "set-option", "-t", tm.session, "remain-on-exit", "on")
	return tm
}

func (tm *Tmux) run(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command(tm.bin, append([]string{"-S", tm.socket, "-f", os.DevNull}, args...)...)
	cmd.Env = append(os.Environ(), "TMUX=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Keys types keys (tmux key names: "Enter", "Escape", "Down", or text).
func (tm *Tmux) Keys(t testing.TB, keys ...string) {
	t.Helper()
	tm.run(t, append([]string{"send-keys", "-t", tm.session}, keys...)...)
}

// Screen is what the terminal shows now, as text.
func (tm *Tmux) Screen(t testing.TB) string {
	t.Helper()
	return tm.run(t, "capture-pane", "-p", "-t", tm.session)
}

// WaitFor waits until the screen shows want (20 s at most) and returns it.
func (tm *Tmux) WaitFor(t testing.TB, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := tm.Screen(t)
		if strings.Contains(screen, want) {
			return screen
		}
		if time.Now().After(deadline) {
			t.Fatalf("the terminal does not show %q after 20 s; it shows:\n%s", want, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitExit waits until the program in the session has ended (20 s at
// most).
func (tm *Tmux) WaitExit(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for strings.TrimSpace(tm.run(t, "display-message", "-p", "-t", tm.session, "#{pane_dead}")) != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("the program in tmux has not ended after 20 s; it shows:\n%s", tm.Screen(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
