package mailinglist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailbag/internal/sqlitedb"
)

func newSubscribers(t testing.TB) *Subscribers {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := NewSubscribers(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNormalizeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"ana@Example.NET":            "ana@example.net",
		"  Ana@example.net ":         "Ana@example.net",
		"Ana Lima <ana@EXAMPLE.net>": "ana@example.net",
	} {
		if got, _, err := NormalizeAddress(in); err != nil || got != want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ana", "ana@", "@example.net", "ana@localhost", "ana example@x.org", "a,b@example.net"} {
		if _, _, err := NormalizeAddress(bad); !errors.Is(err, ErrBadAddress) {
			t.Errorf("NormalizeAddress(%q) = %v, want ErrBadAddress", bad, err)
		}
	}
	// Refused at the door, each with why.
	for bad, why := range map[string]string{
		"ana@example.net\r\nBcc: all@example.net":                "control character",
		"\"Ana\x07\" <ana@example.net>":                          "control character",
		"ana@[192.0.2.1]":                                        "IP address",
		"ana@192.0.2.1":                                          "IP address",
		strings.Repeat("a", 65) + "@example.net":                 "longer than an address may be",
		"ana@" + strings.Repeat("a", 250) + ".net":               "longer than an address may be",
		"\"" + strings.Repeat("N", 201) + "\" <ana@example.net>": "the name is over 200 characters",
	} {
		if _, _, err := NormalizeAddress(bad); !errors.Is(err, ErrBadAddress) || !strings.Contains(err.Error(), why) {
			t.Errorf("NormalizeAddress(%.40q) = %v, want ErrBadAddress saying %q", bad, err, why)
		}
	}
	ctx := context.Background()
	s := newSubscribers(t)
	if _, _, err := s.Add(ctx, "ana@example.net", "Ana\nLima", "cli", nil); !errors.Is(err, ErrBadAddress) {
		t.Errorf("Add with a name holding a line break = %v", err)
	}
	var lines []string
	if _, err := s.Import(ctx, strings.NewReader("email,name\nbo@example.net,\"Bo\nBerg\"\ncy@[192.0.2.1],Cy\n"), ImportOptions{Source: "x"}, func(l ImportLine) {
		lines = append(lines, fmt.Sprintf("%d %s %s", l.Line, l.Result, l.Reason))
	}); err != nil {
		t.Fatal(err)
	}
	want := "2 bad the name is over 200 characters or holds a control character (a line break?)\n4 bad its domain is an IP address"
	if strings.Join(lines, "\n") != want {
		t.Errorf("import:\n%s\nwant\n%s", strings.Join(lines, "\n"), want)
	}
}

func TestAddIsUniqueWithoutRegardToCase(t *testing.T) {
	ctx := context.Background()
	s := newSubscribers(t)
	if _, added, err := s.Add(ctx, "Ana Lima <ana@example.net>", "", "cli", nil); err != nil || added != AddedNew {
		t.Fatalf("Add = %v, %v", added, err)
	}
	if _, added, err := s.Add(ctx, "ANA@Example.net", "", "cli", nil); err != nil || added != AddedAlready {
		t.Errorf("Add in other case = %v, %v; want already", added, err)
	}
	sub, err := s.Get(ctx, "ana@EXAMPLE.NET")
	if err != nil || sub.Name != "Ana Lima" || sub.Status != Active || sub.Source != "cli" {
		t.Errorf("Get = %+v, %v", sub, err)
	}
	for _, st := range []SubscriberStatus{Unsubscribed, Bounced, Complained} {
		if err := s.SetStatus(ctx, "ana@example.net", st); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Add(ctx, "ana@example.net", "", "cli", nil); !errors.Is(err, ErrSuppressed) || !strings.Contains(err.Error(), "ana@example.net is "+string(st)) {
			t.Errorf("re-adding a %s address: %v", st, err)
		}
	}
	if err := s.SetStatus(ctx, "nobody@example.net", Unsubscribed); !errors.Is(err, ErrNoSubscriber) {
		t.Errorf("SetStatus of an unknown address: %v", err)
	}
}

func TestImportAndExport(t *testing.T) {
	ctx := context.Background()
	s := newSubscribers(t)
	if _, _, err := s.Add(ctx, "gone@example.net", "", "cli", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(ctx, "gone@example.net", Unsubscribed); err != nil {
		t.Fatal(err)
	}
	csvText := "\ufeffEmail,Name,Company\n" +
		"ana@example.net,Ana Lima,Acme\n" +
		"bo@example.net,,\n" +
		",No Address,\n" +
		"not-an-address,Who,\n" +
		"ANA@example.net,Ana again,\n" +
		"gone@example.net,Gone,\n" +
		"\"cy@example.net\",\"Cy, the third\",\"Big \"\"Co\"\"\"\n" +
		"dee@example.net,=HYPERLINK(\"http://evil.example/\"),-1\n"
	var lines []string
	sum, err := s.Import(ctx, strings.NewReader(csvText), ImportOptions{Source: "import:list.csv"}, func(l ImportLine) {
		lines = append(lines, fmt.Sprintf("%d %s %s", l.Line, l.Result, l.Reason))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2 added ", "3 added ", "4 bad no address", "5 bad not a mail address",
		"6 bad the same address as line 2", "7 skipped gone@example.net is unsubscribed (since " + s.now().UTC().Format("2006-01-02") + "); mailbag does not subscribe it again",
		"8 added ", "9 added ",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("import report:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if sum != (ImportSummary{Added: 4, Bad: 3, Skipped: 1, Layout: Mailbag, Statuses: StatusCounts{Active: 5}}) {
		t.Errorf("summary = %+v", sum)
	}
	cy, err := s.Get(ctx, "cy@example.net")
	if err != nil || cy.Name != "Cy, the third" || cy.Attributes["company"] != `Big "Co"` {
		t.Errorf("cy = %+v, %v", cy, err)
	}

	var out bytes.Buffer
	if err := s.Export(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "email,name,status,source,created,updated,company\n") {
		t.Errorf("export header: %q", strings.SplitN(out.String(), "\n", 2)[0])
	}
	// No cell a spreadsheet would run as a formula.
	if !strings.Contains(out.String(), `dee@example.net,"'=HYPERLINK(""http://evil.example/"")",active,`) ||
		!strings.Contains(out.String(), ",'-1\n") {
		t.Errorf("formulas exported as they are:\n%s", out.String())
	}
	// Importing the export into a new list gives the same addresses and
	// attributes; again into this one adds nothing.
	s2 := newSubscribers(t)
	if _, err := s2.Import(ctx, bytes.NewReader(out.Bytes()), ImportOptions{Source: "import:export.csv"}, func(ImportLine) {}); err != nil {
		t.Fatal(err)
	}
	cy2, err := s2.Get(ctx, "cy@example.net")
	if err != nil || cy2.Name != cy.Name || cy2.Attributes["company"] != cy.Attributes["company"] || len(cy2.Attributes) != 1 {
		t.Errorf("after the round trip: %+v, %v", cy2, err)
	}
	dee2, err := s2.Get(ctx, "dee@example.net")
	if err != nil || dee2.Name != `=HYPERLINK("http://evil.example/")` || dee2.Attributes["company"] != "-1" {
		t.Errorf("after the round trip: %+v, %v", dee2, err)
	}
	sum, err = s.Import(ctx, bytes.NewReader(out.Bytes()), ImportOptions{Source: "again"}, func(ImportLine) {})
	if err != nil || sum.Added != 0 || sum.Already != 4 || sum.Skipped != 1 {
		t.Errorf("importing the export again: %+v, %v", sum, err)
	}
}

// TestExportImportRoundTrip: a backup (export) restored into a new home
// (import) keeps every subscriber as they were: status (the unsubscribed,
// bounced and complained stay so, and nobody who left is mailed), source,
// dates and attributes; the second export is the first, byte for byte.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := NewSubscribers(ctx, db, func() time.Time { clock = clock.Add(time.Hour); return clock })
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range []SubscriberStatus{Active, Unsubscribed, Bounced, Complained, Active} {
		addr := fmt.Sprintf("r%d@example.net", i)
		if _, _, err := s.Add(ctx, addr, fmt.Sprintf("Reader %d", i), "site", map[string]string{"plan": fmt.Sprint(i), "city": "Oslo"}); err != nil {
			t.Fatal(err)
		}
		if st != Active {
			if err := s.SetStatus(ctx, addr, st); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.AddPending(ctx, "p@example.net", "site"); err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	if err := s.Export(ctx, &first); err != nil {
		t.Fatal(err)
	}

	restored := newSubscribers(t)
	sum, err := restored.Import(ctx, bytes.NewReader(first.Bytes()), ImportOptions{Source: "import:backup.csv"}, func(l ImportLine) {
		if l.Result != "added" {
			t.Errorf("line %d: %s %s", l.Line, l.Result, l.Reason)
		}
	})
	if err != nil || sum.Added != 6 {
		t.Fatalf("Import = %+v, %v", sum, err)
	}
	var second bytes.Buffer
	if err := restored.Export(ctx, &second); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Errorf("the second export differs:\n%s\nwant\n%s", second.String(), first.String())
	}
	for addr, want := range map[string]SubscriberStatus{"r1@example.net": Unsubscribed, "r2@example.net": Bounced, "r3@example.net": Complained, "p@example.net": Pending} {
		if sub, err := restored.Get(ctx, addr); err != nil || sub.Status != want {
			t.Errorf("%s restored as %v, %v; want %s", addr, sub, err, want)
		}
	}
	if active, _ := restored.List(ctx, Active); len(active) != 2 {
		t.Errorf("%d active after the restore, want 2", len(active))
	}

	// The backup restored over a list that has those who left as active
	// marks them as they were; nobody who left is put back.
	over := newSubscribers(t)
	for _, addr := range []string{"r1@example.net", "r4@example.net"} {
		if _, _, err := over.Add(ctx, addr, "", "cli", nil); err != nil {
			t.Fatal(err)
		}
	}
	sum, err = over.Import(ctx, bytes.NewReader(first.Bytes()), ImportOptions{Source: "import:backup.csv"}, func(ImportLine) {})
	if err != nil || sum.Updated != 1 || sum.Already != 1 || sum.Added != 4 {
		t.Errorf("Import over a list = %+v, %v", sum, err)
	}
	if sub, _ := over.Get(ctx, "r1@example.net"); sub.Status != Unsubscribed {
		t.Errorf("r1 is %s after the restore, want unsubscribed", sub.Status)
	}

	// A status or a date that does not read is a bad line, named.
	var lines []string
	_, err = newSubscribers(t).Import(ctx, strings.NewReader("email,status,created\na@example.net,gone,\nb@example.net,active,yesterday\n"), ImportOptions{Source: "x"}, func(l ImportLine) {
		lines = append(lines, fmt.Sprintf("%d %s %s", l.Line, l.Result, l.Reason))
	})
	want := "2 bad status \"gone\" is not pending, active, unsubscribed, bounced or complained\n3 bad created \"yesterday\" is not a date and time such as 2026-11-24T10:00:00Z"
	if err != nil || strings.Join(lines, "\n") != want {
		t.Errorf("bad lines:\n%s\nwant\n%s (%v)", strings.Join(lines, "\n"), want, err)
	}
}

func TestImportNeedsAnEmailColumn(t *testing.T) {
	_, err := newSubscribers(t).Import(context.Background(), strings.NewReader("name,phone\nAna,123\n"), ImportOptions{Source: "x"}, func(ImportLine) {})
	if err == nil || !strings.Contains(err.Error(), "line 1: no email column in the header (name, phone)") {
		t.Errorf("Import without an email column = %v", err)
	}
}
