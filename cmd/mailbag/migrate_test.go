package main

import (
	"archive/zip"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailbag/internal/home"
)

// zipFolder writes the files under dir into a new zip file at out, as a
// platform's export comes.
func zipFolder(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil || zw.Close() != nil || f.Close() != nil {
		t.Fatalf("zip %s: %v", dir, err)
	}
}

// A Mailchimp audience export, the zip as Mailchimp makes it, imports
// through the binary: its subscribed are mailed by the next send, its
// unsubscribed and cleaned are not, and a second import adds nothing.
func TestSubscribersImportMailchimpZip(t *testing.T) {
	bin := binary(t)
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(t.TempDir(), "members_export_1a2b3c.zip")
	f, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, in := range map[string]string{
		"subscribed_members_export_1a2b3c.csv":   "mailchimp-subscribed.csv",
		"unsubscribed_members_export_1a2b3c.csv": "mailchimp-unsubscribed.csv",
		"cleaned_members_export_1a2b3c.csv":      "mailchimp-cleaned.csv",
	} {
		data, err := os.ReadFile(filepath.Join("../../publish/mailinglist/testdata/exports", in))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := zw.Create(name)
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := run(t, bin, h, "subscribers", "import", zipPath)
	for _, want := range []string{
		"cleaned_members_export_1a2b3c.csv (read as mailchimp's export): 0 active, 0 pending, 0 unsubscribed, 5 bounced, 0 complained in the file",
		"subscribed_members_export_1a2b3c.csv (read as mailchimp's export): 5 active,",
		"unsubscribed_members_export_1a2b3c.csv (read as mailchimp's export): 0 active, 0 pending, 5 unsubscribed,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import said:\n%s\nwant a line with %q", out, want)
		}
	}
	var list []struct{ Email, Status, Name string }
	if err := json.Unmarshal([]byte(run(t, bin, h, "subscribers", "list", "--status", "all", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range list {
		got[s.Email] = s.Status
	}
	for addr, want := range map[string]string{"s5@example.com": "active", "u1@example.com": "unsubscribed", "c3@example.com": "bounced"} {
		if got[addr] != want {
			t.Errorf("%s is %q, want %q", addr, got[addr], want)
		}
	}
	if len(got) != 15 {
		t.Errorf("%d subscribers, want the export's 15", len(got))
	}
	again := run(t, bin, h, "subscribers", "import", zipPath)
	if n := strings.Count(again, "\n0 added, 0 updated, "); n != 3 {
		t.Errorf("second import added or changed someone:\n%s", again)
	}
}

// Substack's whole export, posts and list in one zip, gives its list to
// `subscribers import`: posts.csv is left alone, the list is read.
func TestSubscribersImportSubstackZip(t *testing.T) {
	bin := binary(t)
	h, err := home.Init(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for from, to := range map[string]string{
		"../../archive/importer/testdata/substack/posts.csv":                  "posts.csv",
		"../../publish/mailinglist/testdata/exports/substack-subscribers.csv": "email_list.ask-jim.csv",
	} {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	zipPath := filepath.Join(t.TempDir(), "ask-jim-export.zip")
	zipFolder(t, dir, zipPath)
	out := run(t, bin, h, "subscribers", "import", zipPath)
	for _, want := range []string{"email_list.ask-jim.csv (read as substack's export): 14 active, 0 pending, 2 unsubscribed", "posts.csv: no email column, not a list of subscribers: left alone"} {
		if !strings.Contains(out, want) {
			t.Errorf("import said:\n%s\nwant %q", out, want)
		}
	}
}
