package main

import (
	"bytes"
	"log"
	"strings"
	"testing"
)

// What bleve writes with the standard logger (a segment file it could not
// remove, already removed by another of its goroutines) goes to mailbag's
// log at debug level: not bare on stderr, where a command's output is
// checked; shown with -v.
func TestStandardLogIsDebug(t *testing.T) {
	defer log.SetOutput(log.Writer())
	for _, verbose := range []bool{false, true} {
		var stderr bytes.Buffer
		a := &app{stderr: &stderr, logFormat: "text", verbose: verbose}
		if err := a.setup(); err != nil {
			t.Fatal(err)
		}
		log.Printf("got err removing file: %s", "000000000006.zap")
		got := stderr.String()
		if verbose != strings.Contains(got, `level=DEBUG msg="got err removing file: 000000000006.zap" from=bleve`) || (!verbose && got != "") {
			t.Errorf("verbose %v: stderr %q", verbose, got)
		}
	}
}
