package site

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"mailbag/archive"
)

// tablePosts are posts as Headers gives them, newest first: dates with
// and without times and zones (all read in the newsletter's), with and
// without tags and old addresses.
func tablePosts(t *testing.T) []*archive.Post {
	t.Helper()
	var list []*archive.Post
	for _, file := range []string{
		"---\ntitle: Wide offsets\ndate: 2024-03-31T01:30:00+05:45\ntags: [Go, Go, product management]\naliases: [/old/a/, /blog/a.html]\n---\n",
		"---\ntitle: A summer's day\ndate: 2024-07-01T23:59:59.5\ntags: [go]\n---\n",
		"---\ntitle: In UTC\ndate: 2024-01-02T03:04:05Z\naliases: [/old/a]\n---\n",
		"---\ntitle: Just a date\ndate: 2023-12-31\naliases: [/2023/12/31/just-a-date]\n---\n",
	} {
		p, err := archive.Parse([]byte(file+"\nBody.\n"), london(t))
		if err != nil {
			t.Fatal(err)
		}
		p.Slug = archive.Slugify(p.Title)
		p.Path = "/posts/" + p.FileName()
		p.Body = nil
		list = append(list, p)
	}
	archive.SortPosts(list)
	return list
}

// TestPostTableKeepsHeaders: the site's list of posts gives back each
// post's title, date (the instant, in the newsletter's zone), slug, tags,
// aliases and file as they were read, and holds no pointers for Go's collector to follow.
func TestPostTableKeepsHeaders(t *testing.T) {
	list := tablePosts(t)
	tab := newPostTable(list, london(t))
	if tab.len() != len(list) {
		t.Fatalf("len %d, want %d", tab.len(), len(list))
	}
	for i, want := range list {
		got := tab.at(i)
		if got.Title != want.Title || got.Slug != want.Slug || got.Path != want.Path || !slices.Equal(got.Tags, want.Tags) || !slices.Equal(got.Aliases, want.Aliases) {
			t.Errorf("post %d: got %+v, want %+v", i, got, want)
		}
		if !got.Date.Equal(want.Date) || got.Date.Format(time.RFC3339Nano+" MST") != want.Date.Format(time.RFC3339Nano+" MST") {
			t.Errorf("post %d: date %v, want %v", i, got.Date, want.Date)
		}
		if got.URLPath() != want.URLPath() {
			t.Errorf("post %d: page %s, want %s", i, got.URLPath(), want.URLPath())
		}
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[postRow](), reflect.TypeFor[span](), reflect.TypeFor[aliasOf]()} {
		for f := range typ.Fields() {
			switch f.Type.Kind() {
			case reflect.Int32, reflect.Int64, reflect.Uint16, reflect.Uint32, reflect.Struct:
			default:
				t.Errorf("%s.%s is a %s: the table's rows must hold numbers only", typ, f.Name, f.Type)
			}
		}
	}
}

// TestSnapshotLooksUp: posts are found by slug, by tag (once for a post
// with two tags of one slug) and by old address, with or without its last
// slash, the newest post's first.
func TestSnapshotLooksUp(t *testing.T) {
	list := tablePosts(t)
	snap := newSnapshot(list, &archive.Posts{Location: london(t)}, time.Now(), 1)
	for i, p := range list {
		if q, j, ok := snap.bySlug(p.Slug); !ok || j != i || q.Title != p.Title {
			t.Errorf("bySlug(%q) = %v, %d, %v; want %d", p.Slug, q, j, ok, i)
		}
	}
	if _, _, ok := snap.bySlug("no-such-post"); ok {
		t.Error("bySlug found a post that is not there")
	}
	var goPosts []string
	for _, i := range snap.byTag["go"] {
		goPosts = append(goPosts, snap.posts.at(int(i)).Title)
	}
	if want := []string{"A summer's day", "Wide offsets"}; !slices.Equal(goPosts, want) {
		t.Errorf("tag go: %q, want %q", goPosts, want)
	}
	if snap.tagName["go"] != "go" || snap.tagName["product-management"] != "product management" {
		t.Errorf("tag names: %q", snap.tagName)
	}
	for path, want := range map[string]string{
		"/old/a/":                  "Wide offsets", // newer than "In UTC", which has it too
		"/old/a":                   "Wide offsets",
		"/blog/a.html":             "Wide offsets",
		"/old/b/":                  "",
		"/old/":                    "",
		"/2023/12/31/just-a-date":  "Just a date",
		"/2023/12/31/just-a-date/": "", // its own page: no redirect to itself
	} {
		got := ""
		if p, ok := snap.alias(path); ok {
			got = p.Title
		}
		if got != want {
			t.Errorf("alias %s: %q, want %q", path, got, want)
		}
	}
}

// TestSnapshotKeepsPagesWithinBound: the pages kept stay under
// maxPageBytes however many are made, the last one kept is found, and a
// page kept twice keeps the first.
func TestSnapshotKeepsPagesWithinBound(t *testing.T) {
	snap := newSnapshot(tablePosts(t), &archive.Posts{Location: london(t)}, time.Now(), 1)
	page := make([]byte, maxPageBytes/10+1)
	for i := range 100 {
		snap.keepPage(fmt.Sprint("slug-", i), madePage{body: page, etag: fmt.Sprint(i)})
		if snap.pageBytes > maxPageBytes {
			t.Fatalf("after %d pages, %d bytes kept, over %d", i+1, snap.pageBytes, maxPageBytes)
		}
	}
	if pg, ok := snap.page("slug-99"); !ok || pg.etag != "99" {
		t.Errorf("the last page kept: %q, %v", pg.etag, ok)
	}
	if pg := snap.keepPage("slug-99", madePage{body: page, etag: "again"}); pg.etag != "99" {
		t.Errorf("kept twice: %q, want the first", pg.etag)
	}
	if len(snap.pages) != 9 {
		t.Errorf("%d pages kept, want 9 of a tenth of the bound and a byte", len(snap.pages))
	}
}
