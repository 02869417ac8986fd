package searchlog

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"mailbag/internal/sqlitedb"
)

// clock is a settable clock for the tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func open(t *testing.T) (*Log, *clock) {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	l, err := Open(context.Background(), db, c.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l, c
}

func top(t *testing.T, l *Log, o TopOptions) map[string]Query {
	t.Helper()
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	qs, err := l.Top(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Query{}
	for _, q := range qs {
		out[q.Text] = q
	}
	return out
}

// Searches are counted by their normalised text over the days kept, with
// the hits of the last time; --failed is those that found nothing then.
func TestRecordAndTop(t *testing.T) {
	l, c := open(t)
	for range 3 {
		l.Record("v", "Product  Manager", 12)
	}
	l.Record("v", "kubernetes operators", 0)
	c.add(24 * time.Hour)
	l.Record("v", "product manager", 11)
	l.Record("v", "Kubernetes Operators", 0)
	l.Record("v", "toe", 0)
	l.Record("v", "toe", 4) // found since: no longer failed
	got := top(t, l, TopOptions{})
	want := map[string]Query{
		"product manager":      {Text: "product manager", Count: 4, Hits: 11},
		"kubernetes operators": {Text: "kubernetes operators", Count: 2, Hits: 0},
		"toe":                  {Text: "toe", Count: 2, Hits: 4},
	}
	for text, w := range want {
		if g := got[text]; g.Count != w.Count || g.Hits != w.Hits || !g.Last.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%q: %+v, want %+v on 2026-03-02", text, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d queries, want %d: %v", len(got), len(want), got)
	}
	failed := top(t, l, TopOptions{Failed: true})
	if len(failed) != 1 || failed["kubernetes operators"].Count != 2 {
		t.Errorf("failed: %v, want kubernetes operators alone", failed)
	}
	qs, _ := l.Top(context.Background(), TopOptions{})
	if qs[0].Text != "product manager" {
		t.Errorf("most searched first: %v", qs)
	}
}

// Searches older than 90 days are deleted.
func TestSearchesAreKept90Days(t *testing.T) {
	l, c := open(t)
	l.Record("v", "old question", 0)
	top(t, l, TopOptions{})
	c.add(Keep - 24*time.Hour)
	if got := top(t, l, TopOptions{}); got["old question"].Count != 1 {
		t.Fatalf("on day 89: %v", got)
	}
	c.add(2 * 24 * time.Hour)
	l.Record("v", "new question", 0)
	got := top(t, l, TopOptions{})
	if _, ok := got["old question"]; ok || got["new question"].Count != 1 {
		t.Errorf("after 90 days: %v, want the new question alone", got)
	}
	var rows int
	l.db.QueryRow(`SELECT count(*) FROM searches`).Scan(&rows)
	if rows != 1 {
		t.Errorf("%d rows in the table, want the old one deleted", rows)
	}
}

// A flood of different queries neither grows memory nor the table without
// bound, and the queries counted before it still are.
func TestFloodIsBounded(t *testing.T) {
	l, _ := open(t)
	l.Record("v", "first", 1)
	for i := range 3 * maxPerDay {
		l.Record(fmt.Sprint("visitor ", i), "flood "+strings.Repeat("x", i%50)+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676%26)), 0)
		if i%(maxPending/2) == 0 {
			if err := l.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		l.mu.Lock()
		if len(l.pending) > maxPending {
			t.Fatalf("%d searches pending, more than %d", len(l.pending), maxPending)
		}
		l.mu.Unlock()
	}
	l.Record("w", "first", 1)
	top(t, l, TopOptions{})
	var rows int
	l.db.QueryRow(`SELECT count(*) FROM searches`).Scan(&rows)
	if rows > maxPerDay {
		t.Errorf("%d rows for one day, more than %d", rows, maxPerDay)
	}
	var first int
	l.db.QueryRow(`SELECT count FROM searches WHERE query = 'first'`).Scan(&first)
	if first != 2 {
		t.Errorf("a query counted before the flood: %d, want 2", first)
	}
}

// Searches recorded from many goroutines are all counted; they reach the
// database by themselves within writeAfter.
func TestRecordConcurrently(t *testing.T) {
	l, _ := open(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				l.Record(fmt.Sprint(g, " ", i/perVisitor), "go generics", 3)
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(writeAfter + 10*time.Second)
	for {
		var n int
		l.db.QueryRow(`SELECT coalesce(sum(count), 0) FROM searches`).Scan(&n)
		if n == 800 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d searches written after %v, want 800", n, writeAfter+10*time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{
		"  Product\tMANAGER  ":               "product manager",
		"mail jane.doe@example.com about it": "mail [address] about it",
		"call +44 20 7946 0958 please":       "call +[number] please",
		"order 123456":                       "order [number]",
		"go 1.22 release":                    "go 1.22 release",
		"2019 2020":                          "2019 2020",
		"":                                   "",
		"   ":                                "",
		"bad \xff utf8":                      "bad utf8",
		strings.Repeat("word ", 40):          strings.TrimSpace(strings.Repeat("word ", 20)),
		strings.Repeat("é", 150):             strings.Repeat("é", 100),
		// Addresses in the disguises people use.
		"ana.lima at example dot net":         "[address]",
		"write ana.lima(at)example.net today": "write [address] today",
		"ana [at] example [dot] net":          "[address]",
		"ana.lima ＠ example.net":              "[address]",
		"ana.lima＠example．net":                "[address]",
		"user%40example.net":                  "[address]",
		"user%2540example.net":                "[address]",
		"user&#64;example.net":                "[address]",
		"jim at example.net":                  "[address]",
		"Jim AT Example DOT com":              "[address]",
		"look at go.mod":                      "look at go.mod",
		"where to look at the docs":           "where to look at the docs",
		"100% at work":                        "100% at work",
	} {
		if got := normalise(in); got != want {
			t.Errorf("normalise(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzNormalise: what is kept is valid UTF-8, at most maxQuery characters,
// no address, and normalising it again changes nothing.
func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"Product Manager", "a@b.c", "+1 555 123 4567", strings.Repeat("ab ", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := normalise(in)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > maxQuery || strings.Contains(got, "@") {
			t.Fatalf("normalise(%q) = %q", in, got)
		}
		if again := normalise(got); again != got {
			t.Fatalf("normalise(%q) = %q, again %q", in, got, again)
		}
	})
}

// One visitor's searches count perVisitor times a day at most, whatever
// they search; the next day, and other visitors, count again. Nothing of
// the visitor reaches the database.
func TestOneVisitorCountsLittle(t *testing.T) {
	l, c := open(t)
	for i := range 200 {
		l.Record("198.51.100.7", fmt.Sprint("junk ", i%3), 0)
	}
	l.Record("203.0.113.5", "real question", 0)
	got := top(t, l, TopOptions{})
	total := 0
	for _, q := range got {
		total += q.Count
	}
	if total != perVisitor+1 || got["real question"].Count != 1 {
		t.Errorf("%d searches counted of 201, want %d: %v", total, perVisitor+1, got)
	}
	c.add(24 * time.Hour)
	l.Record("198.51.100.7", "junk 0", 0)
	if got := top(t, l, TopOptions{}); got["junk 0"].Count != perVisitor/3+1 {
		t.Errorf("the next day: %v", got["junk 0"])
	}
	var rows []string
	r, _ := l.db.Query(`SELECT day || query FROM searches`)
	for r.Next() {
		var s string
		r.Scan(&s)
		rows = append(rows, s)
	}
	r.Close()
	if strings.Contains(strings.Join(rows, " "), "198.51") {
		t.Errorf("a visitor's address is in the table: %v", rows)
	}
}

// Once a day's slots are full of queries searched once, a query searched
// again (in one write, or in two) takes the place of a one-off; another
// one-off does not.
func TestDaySlotsFavourRepeated(t *testing.T) {
	l, _ := open(t)
	flush := func() {
		t.Helper()
		if err := l.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range maxPerDay {
		l.Record(fmt.Sprint("bot ", i), fmt.Sprint("junk query ", i), 0)
		if i%(maxPending/2) == 0 {
			flush()
		}
	}
	flush()
	l.Record("a", "one-off", 0)
	l.Record("b", "asked twice at once", 0)
	l.Record("c", "asked twice at once", 0)
	l.Record("d", "asked on two writes", 0)
	flush()
	l.Record("e", "asked on two writes", 0)
	got := top(t, l, TopOptions{Limit: 10})
	if got["asked twice at once"].Count != 2 || got["asked on two writes"].Count != 2 {
		t.Errorf("repeated searches after a flood: %v", got)
	}
	var rows, oneOff int
	l.db.QueryRow(`SELECT count(*), sum(query = 'one-off') FROM searches`).Scan(&rows, &oneOff)
	if rows != maxPerDay || oneOff != 0 {
		t.Errorf("%d rows (want %d), the one-off kept: %d", rows, maxPerDay, oneOff)
	}
}
