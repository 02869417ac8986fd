package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"mailbag/internal/peers"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mailbag": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line scripts in testdata/script: each is a
// session at a terminal, with what it must print.
func TestScripts(t *testing.T) {
	fixtures, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"imapserver": cmdIMAPServer,
			"deliver":    cmdDeliver,
		},
	})
}

// servers are the in-process IMAP servers of running scripts, by script
// work folder.
var servers sync.Map

// cmdIMAPServer starts go-imap's in-process server for the script and
// writes settings for the home in args[0] that point at it (and use UTC):
//
//	imapserver HOME
func cmdIMAPServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: imapserver HOME")
	}
	m, stop, err := peers.NewMemIMAP()
	ts.Check(err)
	ts.Defer(stop)
	servers.Store(ts.Getenv("WORK"), m)
	settings := fmt.Sprintf("[newsletter]\naddress = \"ask@example.org\"\ntimezone = \"UTC\"\n\n[imap]\naddress = %q\nsecurity = \"none\"\nusername = %q\npassword_env = \"\"\npassword_command = \"echo %s\"\n",
		m.Addr, m.Username, m.Password)
	ts.Check(os.WriteFile(ts.MkAbs(filepath.Join(args[0], "mailbag.toml")), []byte(settings), 0o644))
}

// cmdDeliver puts the files in args into the script's IMAP server's INBOX:
//
//	deliver FILE...
func cmdDeliver(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := servers.Load(ts.Getenv("WORK"))
	if neg || !ok {
		ts.Fatalf("usage: imapserver HOME first, then deliver FILE...")
	}
	m := v.(*peers.MemIMAP)
	for _, a := range args {
		raw, err := os.ReadFile(ts.MkAbs(a))
		ts.Check(err)
		ts.Check(m.Deliver(raw))
	}
}
