package mailinglist

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// importFile imports a file of testdata/exports into s, as the command
// does.
func importFile(t *testing.T, s *Subscribers, name string, from Layout) (ImportSummary, []ImportLine) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata/exports", name))
	if err != nil {
		t.Fatal(err)
	}
	var lines []ImportLine
	sum, err := s.Import(context.Background(), strings.NewReader(string(data)), ImportOptions{Source: "import:" + name, File: name, From: from}, func(l ImportLine) {
		lines = append(lines, l)
	})
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return sum, lines
}

// statuses returns each address on the list with its status.
func statuses(t *testing.T, s *Subscribers) map[string]SubscriberStatus {
	t.Helper()
	subs, err := s.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]SubscriberStatus{}
	for _, sub := range subs {
		out[sub.Email] = sub.Status
	}
	return out
}

// The platforms' own exports (testdata/NOTICE) are read by their columns:
// who left stays left, names and dates of consent are kept.
func TestImportPlatformExports(t *testing.T) {
	for _, c := range []struct {
		file   string
		layout Layout
		counts StatusCounts
		left   []string // addresses that must not be active
		name   map[string]string
		since  map[string]string
	}{
		{"mailchimp-subscribed.csv", Mailchimp, StatusCounts{Active: 5}, nil,
			map[string]string{"s5@example.com": "Dolor Simet"}, map[string]string{"s5@example.com": "2018-02-05 19:28:22"}},
		{"mailchimp-unsubscribed.csv", Mailchimp, StatusCounts{Unsubscribed: 5},
			[]string{"u1@example.com", "u2@example.com", "u3@example.com", "u4@example.com", "u5@example.com"},
			map[string]string{"u3@example.com": "Lorem Ipsum"}, nil},
		{"mailchimp-cleaned.csv", Mailchimp, StatusCounts{Bounced: 5},
			[]string{"c1@example.com", "c2@example.com", "c3@example.com", "c4@example.com", "c5@example.com"}, nil, nil},
		{"substack-subscribers.csv", Substack, StatusCounts{Active: 14, Unsubscribed: 2},
			[]string{"maguirec086@comm.ca", "nottimferris@gmail.com"}, nil,
			map[string]string{}},
		{"beehiiv-members.csv", Beehiiv, StatusCounts{Active: 5, Pending: 1, Unsubscribed: 3},
			[]string{"dolor@example.com", "simet@example.com", "amett@example.com", "unsublit@example.com"},
			map[string]string{"ipsum@example.com": "Ipsum Name", "nullfirst@example.com": "Last Only"},
			map[string]string{"lorem@example.com": "2023-03-24 10:23:10"}},
		{"ghost-members.csv", Ghost, StatusCounts{Active: 1, Unsubscribed: 1}, []string{"test@example.com"},
			map[string]string{"jbloggs@example.com": "joe"}, map[string]string{"test@example.com": "1991-10-02 20:30:31"}},
		{"buttondown-active.csv", Buttondown, StatusCounts{Active: 3, Pending: 1, Bounced: 1},
			[]string{"unactivated@example.org", "gone@example.org"}, nil, map[string]string{"ana@example.org": "2021-03-04 05:06:07"}},
		{"buttondown-unsubscribed.csv", Buttondown, StatusCounts{Unsubscribed: 2}, []string{"left@example.org", "also-left@example.org"}, nil, nil},
		{"kit-subscribers.csv", Kit, StatusCounts{Active: 1, Unsubscribed: 1, Bounced: 1, Complained: 1},
			[]string{"cancelled@example.org", "bounced@example.org", "complained@example.org"},
			map[string]string{"ana@example.org": "Ana Lima"}, nil},
		{"listmonk-subscribers.csv", Listmonk, StatusCounts{Active: 1, Unsubscribed: 2},
			[]string{"off@example.org", "blocked@example.org"}, map[string]string{"on@example.org": "Élodie Roux"},
			map[string]string{"on@example.org": "2021-05-06 07:08:09"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			s := newSubscribers(t)
			sum, lines := importFile(t, s, c.file, "")
			if sum.Layout != c.layout || sum.Statuses != c.counts || sum.Bad != 0 {
				t.Errorf("read as %s, %+v, %d bad (%+v); want %s, %+v", sum.Layout, sum.Statuses, sum.Bad, lines, c.layout, c.counts)
			}
			got := statuses(t, s)
			for _, addr := range c.left {
				if got[addr] == Active || got[addr] == "" {
					t.Errorf("%s is %q; want it kept off the list's active subscribers", addr, got[addr])
				}
			}
			for addr, name := range c.name {
				sub, err := s.Get(context.Background(), addr)
				if err != nil || sub.Name != name {
					t.Errorf("%s: name %v, %v; want %q", addr, sub, err, name)
				}
			}
			for addr, since := range c.since {
				sub, err := s.Get(context.Background(), addr)
				if err != nil || sub.Created.UTC().Format(time.DateTime) != since {
					t.Errorf("%s: consent %v, %v; want %s", addr, sub, err, since)
				}
			}
		})
	}
}

// Nobody who left is made active again, whatever order the files of an
// export come in: a later "subscribed" file skips them, an "unsubscribed"
// one marks the active ones who left.
func TestImportNeverResubscribes(t *testing.T) {
	s := newSubscribers(t)
	// Everyone in every file, active, as a careless converter would have it.
	for _, name := range []string{"mailchimp-unsubscribed.csv", "mailchimp-cleaned.csv"} {
		data, _ := os.ReadFile(filepath.Join("testdata/exports", name))
		var plain strings.Builder
		plain.WriteString("email\n")
		for _, line := range strings.Split(string(data), "\n")[1:] {
			if addr, _, ok := strings.Cut(line, ","); ok {
				plain.WriteString(addr + "\n")
			}
		}
		if _, err := s.Import(context.Background(), strings.NewReader(plain.String()), ImportOptions{Source: "old"}, func(ImportLine) {}); err != nil {
			t.Fatal(err)
		}
	}
	importFile(t, s, "mailchimp-unsubscribed.csv", "")
	importFile(t, s, "mailchimp-cleaned.csv", "")
	sum, _ := importFile(t, s, "mailchimp-subscribed.csv", "")
	if sum.Added != 5 {
		t.Errorf("subscribed file: %+v; want its 5 added", sum)
	}
	for addr, st := range statuses(t, s) {
		if strings.HasPrefix(addr, "u") && st != Unsubscribed || strings.HasPrefix(addr, "c") && st != Bounced {
			t.Errorf("%s is %s after the export's files", addr, st)
		}
	}
	// The files named as another platform's still never mail who left.
	sum, _ = importFile(t, s, "mailchimp-unsubscribed.csv", Mailchimp)
	if sum.Skipped != 5 {
		t.Errorf("unsubscribed again: %+v; want 5 skipped", sum)
	}
}

// A header no export has, with a column that may say who left, is refused
// with the columns seen; a status a platform writes that mailbag does not
// know is a bad line, not an active subscriber; a file no layout reads
// says what was looked for; --from naming the wrong platform is refused.
func TestImportRefusesWhatItCannotRead(t *testing.T) {
	ctx := context.Background()
	s := newSubscribers(t)
	_, err := s.Import(ctx, strings.NewReader("email,Unsubscribed At\na@example.org,2024-01-01\n"), ImportOptions{Source: "x"}, func(ImportLine) {})
	if err == nil || !strings.Contains(err.Error(), `the column "unsubscribed at" may say who left`) || !strings.Contains(err.Error(), "--from") {
		t.Errorf("unknown layout with a leaving column: %v", err)
	}
	_, err = s.Import(ctx, strings.NewReader("name,phone\nAna,123\n"), ImportOptions{Source: "x"}, func(ImportLine) {})
	if err == nil || !strings.Contains(err.Error(), "(name, phone)") || !strings.Contains(err.Error(), "email address") || !strings.Contains(err.Error(), "mailchimp") {
		t.Errorf("no email column: %v", err)
	}
	var lines []ImportLine
	sum, err := s.Import(ctx, strings.NewReader("email,status,tier\nx@example.org,frozen,free\n"), ImportOptions{Source: "x"}, func(l ImportLine) { lines = append(lines, l) })
	if err != nil || sum.Bad != 1 || len(lines) != 1 || !strings.Contains(lines[0].Reason, `beehiiv status "frozen" is none of`) {
		t.Errorf("unknown status: %+v %+v %v", sum, lines, err)
	}
	if got := statuses(t, s); len(got) != 0 {
		t.Errorf("list after refusals: %v", got)
	}
	// Named wrongly, an export is refused rather than read as another:
	// mailbag's own layout would make Mailchimp's unsubscribed active.
	for _, from := range []Layout{Mailbag, Substack} {
		data, _ := os.ReadFile("testdata/exports/mailchimp-unsubscribed.csv")
		if _, err := s.Import(ctx, strings.NewReader(string(data)), ImportOptions{Source: "x", From: from}, func(ImportLine) {}); err == nil {
			t.Errorf("Mailchimp's unsubscribed read as %s", from)
		}
	}
	if _, err := s.Import(ctx, strings.NewReader("email,status\nx@example.org,unsubscribed\n"), ImportOptions{Source: "x", From: Mailchimp}, func(ImportLine) {}); err == nil || !strings.Contains(err.Error(), "is not mailchimp's subscriber export") {
		t.Errorf("mailbag's export read as Mailchimp's: %v", err)
	}
	if got := statuses(t, s); len(got) != 0 {
		t.Errorf("list after refusals: %v", got)
	}
	if _, err := ParseLayout("revue"); err == nil || !strings.Contains(err.Error(), "mailchimp") {
		t.Errorf("ParseLayout(revue) = %v", err)
	}
}
