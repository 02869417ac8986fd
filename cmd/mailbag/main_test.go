package main

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"mailbag/internal/memserver"
	"mailbag/internal/peers"

	"github.com/emersion/go-smtp"
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
		Condition:           condition,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FIXTURES", fixtures)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"imapserver":  cmdIMAPServer,
			"deliver":     cmdDeliver,
			"smtpserver":  cmdSMTPServer,
			"mailcount":   cmdMailCount,
			"smtprefuse":  cmdSMTPRefuse,
			"freeport":    cmdFreePort,
			"fetch":       cmdFetch,
			"setting":     cmdSetting,
			"report":      cmdReport,
			"eventually":  cmdEventually,
			"timeafter":   cmdTimeAfter,
			"waituntil":   cmdWaitUntil,
			"smalldisk":   cmdSmallDisk,
			"fill":        cmdFill,
			"unfill":      cmdUnfill,
			"delivermany": cmdDeliverMany,
			"sendcounts":  cmdSendCounts,
			"post":        cmdPost,
			"waitmail":    cmdWaitMail,
		},
	})
}

// cmdEventually runs a program again until it succeeds and its stdout
// matches the pattern, for up to 20 s (what a running serve writes in its
// own time):
//
//	eventually PATTERN PROGRAM ARGS...
func cmdEventually(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: eventually PATTERN PROGRAM ARGS...")
	}
	re, err := regexp.Compile("(?m)" + args[0])
	ts.Check(err)
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := ts.Exec(args[1], args[2:]...)
		if err == nil && re.MatchString(ts.ReadFile("stdout")) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s: no output matching %q after 20 s (%v)", strings.Join(args[1:], " "), args[0], err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cmdTimeAfter sets the variable VAR to the time SECONDS from now, in
// RFC 3339 (whole seconds: between SECONDS-1 and SECONDS from now, or a
// second more, never on a whole minute, so that it shows its seconds),
// for --at; give a slow machine a few seconds to run the command that
// uses it:
//
//	timeafter VAR SECONDS
func cmdTimeAfter(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: timeafter VAR SECONDS")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	at := time.Now().Add(time.Duration(n) * time.Second)
	if at.Second() == 0 {
		at = at.Add(time.Second)
	}
	ts.Setenv(args[0], at.Format(time.RFC3339))
}

// cmdWaitUntil waits until the RFC 3339 time has passed (at most a
// minute):
//
//	waituntil TIME
func cmdWaitUntil(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waituntil TIME")
	}
	at, err := time.Parse(time.RFC3339, args[0])
	ts.Check(err)
	if d := time.Until(at); d > time.Minute {
		ts.Fatalf("waituntil %s: more than a minute away", args[0])
	}
	for !time.Now().After(at) {
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdFreePort sets VAR to a TCP port on 127.0.0.1 for a server the
// script starts. The port must be closed again before the server takes
// it, so it is drawn from below the kernel's ephemeral range (which
// starts at 32768): no connection or ":0" listener elsewhere is given it
// meanwhile, and no two scripts of this run are given the same one.
//
//	freeport VAR
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	for range 1000 {
		port := 20000 + rand.IntN(12000)
		if _, taken := portsGiven.LoadOrStore(port, true); taken {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // in use
		}
		ts.Check(ln.Close())
		ts.Setenv(args[0], strconv.Itoa(port))
		return
	}
	ts.Fatalf("freeport: no free port found")
}

// portsGiven are the ports freeport gave in this run.
var portsGiven sync.Map

// cmdFetch GETs a URL, waiting up to 20 s for the server to answer, and
// puts the body on stdout; with !, the status must not be 200:
//
//	fetch URL
func cmdFetch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: fetch URL")
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(args[0])
		if err != nil {
			if time.Now().After(deadline) {
				ts.Fatalf("GET %s: %v", args[0], err)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		ts.Check(err)
		if (resp.StatusCode != http.StatusOK) != neg {
			ts.Fatalf("GET %s: %s", args[0], resp.Status)
		}
		_, _ = ts.Stdout().Write(body)
		return
	}
}

// sinks are the in-process SMTP servers of running scripts, by script
// work folder.
var sinks sync.Map

// cmdSMTPServer starts go-smtp's in-process server, keeping what it gets,
// and points the [smtp] settings of the home in args[0] at it:
//
//	smtpserver HOME
func cmdSMTPServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: smtpserver HOME")
	}
	sink, stop, err := memserver.NewSMTPSink(false)
	ts.Check(err)
	ts.Defer(stop)
	sinks.Store(ts.Getenv("WORK"), sink)
	path := ts.MkAbs(filepath.Join(args[0], "mailbag.toml"))
	for _, c := range [][2]string{{"address", strconv.Quote(sink.Addr)}, {"security", `"none"`}, {"username", `""`}} {
		ts.Check(editSetting(path, "smtp", c[0], c[1]))
	}
}

// cmdMailCount checks how many messages the script's SMTP server got:
//
//	mailcount N
func cmdMailCount(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := sinks.Load(ts.Getenv("WORK"))
	if neg || !ok || len(args) != 1 {
		ts.Fatalf("usage: smtpserver HOME first, then mailcount N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if got := v.(*peers.SMTPSink).Count(); got != want {
		ts.Fatalf("the SMTP server got %d messages, want %d", got, want)
	}
}

// cmdSMTPRefuse makes the script's SMTP server refuse every recipient for
// good, as a relay that will not relay does (554 5.7.1), or, with none,
// take mail again:
//
//	smtprefuse relay|mailbox|none
//
// relay: 554 5.7.1 relay access denied; mailbox: 552 5.2.2 mailbox full.
func cmdSMTPRefuse(ts *testscript.TestScript, neg bool, args []string) {
	refusals := map[string]*smtp.SMTPError{
		"relay":   {Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relay access denied"},
		"mailbox": {Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"},
		"none":    nil,
	}
	v, ok := sinks.Load(ts.Getenv("WORK"))
	refusal, known := refusals[args[0]]
	if neg || !ok || len(args) != 1 || !known {
		ts.Fatalf("usage: smtpserver HOME first, then smtprefuse relay|mailbox|none")
	}
	sink := v.(*peers.SMTPSink)
	if refusal == nil {
		sink.SetFault(nil)
		return
	}
	sink.SetFault(func(string) error { return refusal })
}

// servers are the in-process IMAP servers of running scripts, by script
// work folder.
var servers sync.Map

// cmdIMAPServer starts go-imap's in-process server for the script and
// writes settings for the home in args[0] that point at it (and use UTC);
// further arguments are lines of the [newsletter] table:
//
//	imapserver HOME [KEY=VALUE...]
func cmdIMAPServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: imapserver HOME [KEY=VALUE...]")
	}
	m, stop, err := memserver.NewIMAP()
	ts.Check(err)
	ts.Defer(stop)
	servers.Store(ts.Getenv("WORK"), m)
	path := ts.MkAbs(filepath.Join(args[0], "mailbag.toml"))
	changes := [][3]string{{"newsletter", "timezone", `"UTC"`},
		{"imap", "address", strconv.Quote(m.Addr)}, {"imap", "security", `"none"`},
		{"imap", "username", strconv.Quote(m.Username)}, {"imap", "password_command", strconv.Quote("echo " + m.Password)}}
	for _, kv := range args[1:] {
		k, v, _ := strings.Cut(kv, "=")
		changes = append(changes, [3]string{"newsletter", strings.TrimSpace(k), strings.TrimSpace(v)})
	}
	for _, c := range changes {
		ts.Check(editSetting(path, c[0], c[1], c[2]))
	}
}

// cmdSetting changes one setting in a settings file, as a person editing
// it does:
//
//	setting FILE TABLE KEY VALUE
func cmdSetting(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: setting FILE TABLE KEY VALUE")
	}
	ts.Check(editSetting(ts.MkAbs(args[0]), args[1], args[2], args[3]))
}

// cmdDeliver puts the files in args into the script's IMAP server's INBOX,
// as received at the time of their Date, or with -now as received now, or
// with -later as received an hour from now (after anything the script has
// done so far, to the second):
//
//	deliver [-now|-later] FILE...
func cmdDeliver(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := servers.Load(ts.Getenv("WORK"))
	if neg || !ok {
		ts.Fatalf("usage: imapserver HOME first, then deliver [-now|-later] FILE...")
	}
	m := v.(*peers.MemIMAP)
	var at time.Time
	if len(args) > 0 && (args[0] == "-now" || args[0] == "-later") {
		at = time.Now()
		if args[0] == "-later" {
			at = at.Add(time.Hour)
		}
		args = args[1:]
	}
	for _, a := range args {
		raw, err := os.ReadFile(ts.MkAbs(a))
		ts.Check(err)
		if at.IsZero() {
			ts.Check(m.Deliver(raw))
		} else {
			ts.Check(m.DeliverAt(raw, at))
		}
	}
}
