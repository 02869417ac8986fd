package search

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"mailbag/archive"
	"mailbag/archive/importer"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// seedIndex builds an index of the seed post and the Go blog corpus.
func seedIndex(t testing.TB) (*Index, *archive.Posts) {
	t.Helper()
	posts := &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts"), Location: london(t)}
	for _, src := range []string{"../../testdata/seed", "../../testdata/corpora/posts/go-blog"} {
		if err := importer.Import(posts, src, importer.Options{}, func(importer.Result) {}); err != nil {
			t.Fatal(err)
		}
	}
	list, problems, err := posts.List()
	if err != nil || len(problems) > 0 {
		t.Fatalf("List: %v %v", problems, err)
	}
	x, err := Rebuild(filepath.Join(t.TempDir(), "index"), list, Locale{Location: posts.Location})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x, posts
}

func TestRebuildThenOpen(t *testing.T) {
	x, posts := seedIndex(t)
	dir := x.dir
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir + ".new"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s.new left behind: %v", dir, err)
	}
	y, err := Open(dir, Locale{Location: posts.Location})
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	n, err := y.Len()
	if err != nil || n != 275 {
		t.Errorf("Len = %d, %v", n, err)
	}
}

// sharedDirs are temporary folders made outside a test's TempDir, removed
// by TestMain.
var sharedDirs []string

func osMkdirTemp() (string, error) {
	dir, err := os.MkdirTemp("", "mailbag-archive-test")
	sharedDirs = append(sharedDirs, dir)
	return dir, err
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if corpusIndex.x != nil {
		corpusIndex.x.Close()
	}
	for _, d := range sharedDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// writePost writes a post file by hand, as an author editing posts/ would.
func writePost(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hitSlugs(t *testing.T, x *Index, q string) []string {
	t.Helper()
	res, err := x.Search(context.Background(), Query{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, h := range res.Hits {
		slugs = append(slugs, h.Slug)
	}
	return slugs
}

func TestOpenIndexBuildsThenSyncsHandEdits(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	dir := filepath.Join(root, "index")
	writePost(t, posts.Dir, "2020-01-01-alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nAbout otters.\n")
	writePost(t, posts.Dir, "2020-01-02-beta.md", "---\ntitle: Beta\ndate: 2020-01-02\n---\nAbout penguins.\n")

	x, res, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Indexed != 2 || len(res.Problems) != 0 {
		t.Errorf("first OpenIndex = %+v, want 2 indexed", res)
	}
	if got := hitSlugs(t, x, "otter"); !slices.Equal(got, []string{"alpha"}) {
		t.Errorf("otter: %q", got)
	}
	x.Close()

	// Edit one post, delete another, add one, break one: as a person might.
	writePost(t, posts.Dir, "2020-01-01-alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nAbout narwhals, and more besides.\n")
	if err := os.Remove(filepath.Join(posts.Dir, "2020-01-02-beta.md")); err != nil {
		t.Fatal(err)
	}
	writePost(t, posts.Dir, "2020-01-03-gamma.md", "---\ntitle: Gamma\ndate: 2020-01-03\n---\nAbout otters.\n")
	writePost(t, posts.Dir, "2020-01-04-broken.md", "---\ntitle: Broken\n")

	x, res, err = OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if res.Indexed != 2 || res.Removed != 1 || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), "2020-01-04-broken.md: line 1: unterminated front matter") {
		t.Errorf("second OpenIndex = %+v", res)
	}
	for q, want := range map[string][]string{"otter": {"gamma"}, "narwhal": {"alpha"}, "penguin": nil} {
		if got := hitSlugs(t, x, q); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	if n, _ := x.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}
	// Nothing changed: nothing to do.
	if res, err := x.Sync(posts); err != nil || res.Indexed != 0 || res.Removed != 0 {
		t.Errorf("Sync with no change = %+v, %v", res, err)
	}
}

func TestSyncRefusesASecondFileWithTheSameSlug(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writePost(t, posts.Dir, "2020-01-01-alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nOtters.\n")
	x, _, err := OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	writePost(t, posts.Dir, "2021-05-05-alpha.md", "---\ntitle: Alpha again\ndate: 2021-05-05\n---\nPenguins.\n")
	res, err := x.Sync(posts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Indexed != 0 || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), `slug "alpha" is already used by 2020-01-01-alpha.md`) {
		t.Errorf("Sync = %+v", res)
	}
	if got := hitSlugs(t, x, "otter"); !slices.Equal(got, []string{"alpha"}) {
		t.Errorf("the first alpha was replaced: otter finds %q", got)
	}
}

// TestOpenIndexRebuildsACorruptIndex: an index that cannot be read (a
// crash in the middle of writing it) is rebuilt from posts/ by itself, and
// the result says so.
func TestOpenIndexRebuildsACorruptIndex(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writePost(t, posts.Dir, "2020-01-01-alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nOtters.\n")
	dir := filepath.Join(root, "index")
	if err := os.MkdirAll(shardDir(dir, 0), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shardDir(dir, 0), "index_meta.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Locale{}); !errors.Is(err, ErrIndexCorrupt) {
		t.Fatalf("Open(corrupt) = %v, want ErrIndexCorrupt", err)
	}
	x, res, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatalf("OpenIndex(corrupt) = %v", err)
	}
	defer x.Close()
	if res.Indexed != 1 || !strings.Contains(res.Rebuilt, "unreadable") {
		t.Errorf("OpenIndex(corrupt) = %+v, want a rebuild of 1 post, saying why", res)
	}
	if got := hitSlugs(t, x, "otter"); !slices.Equal(got, []string{"alpha"}) {
		t.Errorf("otter finds %q", got)
	}
}

// TestOpenIndexRebuildsForANewTimeZone: the dates in the index are in the
// newsletter's zone; another zone makes OpenIndex rebuild it, saying so,
// and hits are dated as the posts are.
func TestOpenIndexRebuildsForANewTimeZone(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: london(t)}
	writePost(t, posts.Dir, "2020-06-20-alpha.md", "---\ntitle: Alpha\ndate: '2020-06-20 00:30:00'\n---\nOtters.\n")
	dir := filepath.Join(root, "index")
	x, _, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	posts.Location = time.UTC
	x, res, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !strings.Contains(res.Rebuilt, `"Europe/London"`) || !strings.Contains(res.Rebuilt, `"UTC"`) {
		t.Errorf("OpenIndex after the zone changed = %+v, want a rebuild naming both zones", res)
	}
	hits, err := x.Related(context.Background(), "otters", 1)
	if err != nil || len(hits) != 1 || hits[0].Date.Format("2006-01-02 15:04") != "2020-06-20 00:30" {
		t.Errorf("hit = %+v, %v; want dated 2020-06-20 00:30 UTC", hits, err)
	}
}

// TestRebuildInPlace: an open index is rebuilt while it answers searches
// and finds answers, which see the old index, then the new one, never an
// error (and -race checks what they read of it).
func TestRebuildInPlace(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writePost(t, posts.Dir, "2020-01-01-alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nOtters.\n")
	x, _, err := OpenIndex(filepath.Join(root, "index"), posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	writePost(t, posts.Dir, "2020-01-02-beta.md", "---\ntitle: Beta\ndate: 2020-01-02\n---\nOtters too.\n")
	done := make(chan error, 1)
	go func() {
		list, _, err := posts.List()
		if err == nil {
			err = x.Rebuild(list)
		}
		done <- err
	}()
	for searching := true; searching; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			searching = false
		default:
			if _, err := x.Search(context.Background(), Query{Text: "otters"}); err != nil {
				t.Fatalf("a search during the rebuild: %v", err)
			}
			if _, err := x.Answers(context.Background(), "Do otters hold hands?", 3); err != nil {
				t.Fatalf("answers during the rebuild: %v", err)
			}
		}
	}
	if got := hitSlugs(t, x, "otter"); len(got) != 2 {
		t.Errorf("after the rebuild otter finds %q", got)
	}
}

func TestOpenIndexRebuildsAnOutdatedIndex(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC}
	writePost(t, posts.Dir, "2020-01-01-alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nOtters.\n")
	dir := filepath.Join(root, "index")
	x, _, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.shards[0].SetInternal(keyVersion, []byte("0")); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if _, err := Open(dir, Locale{}); !errors.Is(err, ErrIndexOutdated) {
		t.Fatalf("Open(outdated) = %v, want ErrIndexOutdated", err)
	}
	x, res, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if res.Indexed != 1 {
		t.Errorf("OpenIndex(outdated) = %+v, want a rebuild of 1 post", res)
	}
}

func TestOpenWhileAnotherHoldsTheIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	x, err := Rebuild(dir, nil, Locale{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	_, err = Open(dir, Locale{})
	if !errors.Is(err, ErrIndexBusy) {
		t.Fatalf("second Open = %v, want ErrIndexBusy", err)
	}
}

func london(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestIndexInTheNewslettersLanguage: posts in French are found as a
// French reader types (without accents, without the article, another
// form of the word), phrases and fragments too, and "did you mean"
// offers words as the posts write them; an index made for another
// language is outdated, and OpenIndex rebuilds it and says why.
func TestIndexInTheNewslettersLanguage(t *testing.T) {
	root := t.TempDir()
	posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC, Language: "fr-FR"}
	writePost(t, posts.Dir, "2024-03-01-rentree.md", "---\ntitle: La rentrée à l'école\n---\n\nL'école de mon fils organise une réunion des élèves en français, jeudi soir.\n")
	writePost(t, posts.Dir, "2024-04-01-vacances.md", "---\ntitle: Les vacances\n---\n\nNous partons à la mer avec les enfants.\n")
	dir := filepath.Join(root, "index")
	x, _, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ecole", "école", "reunion", "eleve", "francais", `"reunion des eleves"`, "title:rentree"} {
		if got := hitSlugs(t, x, q); !slices.Equal(got, []string{"rentree"}) {
			t.Errorf("%s finds %q, want the post about school", q, got)
		}
	}
	res, err := x.Search(context.Background(), Query{Text: "eleves"})
	if err != nil || len(res.Hits) != 1 || len(res.Hits[0].Fragments) != 1 || !strings.Contains(res.Hits[0].Fragments[0], "<mark>élèves</mark>") {
		t.Errorf("the fragment of eleves: %+v, %v", res, err)
	}
	if res, err := x.Search(context.Background(), Query{Text: "reunoin"}); err != nil || res.Suggestion != "réunion" {
		t.Errorf("did you mean for reunoin: %q, %v; want the word as the post writes it, réunion", res.Suggestion, err)
	}
	x.Close()

	posts.Language = "de"
	if _, err := Open(dir, Locale{Location: time.UTC, Language: "de"}); !errors.Is(err, ErrIndexOutdated) || !strings.Contains(err.Error(), `analysed as "fr", the newsletter's language is "de"`) {
		t.Fatalf("Open for German = %v, want ErrIndexOutdated naming both languages", err)
	}
	x, res2, err := OpenIndex(dir, posts)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !strings.Contains(res2.Rebuilt, `the newsletter's language is "de"`) || res2.Indexed != 2 {
		t.Errorf("OpenIndex for German: %+v, want a rebuild saying why", res2)
	}
}

// A search written with accents finds the posts that write the word so
// first, then those that do not; one without accents finds the posts
// without first, then those with. In French,
// and in English's few accented words. The two posts are the same text
// but for the accents, so that only the exact forms rank them.
func TestExactFormsRankFirst(t *testing.T) {
	for _, c := range []struct{ lang, text, plain, pad, query, folded string }{
		{"fr", "L'école de mon fils est loin de la maison, et l'école ferme tôt.", "L'ecole de mon fils est loin de la maison, et l'ecole ferme tot.", " Merci beaucoup pour tout, vraiment.", "école", "ecole"},
		{"en", "Send your résumé with the form; a résumé of one page is best.", "Send your resume with the form; a resume of one page is best.", " Thanks a lot for everything, really.", "résumé", "resume"},
	} {
		// Each post newer in turn, and each longer in turn: neither the
		// date nor the length ranks them.
		for _, newer := range []string{"plain", "accented", "plain-padded", "accented-padded"} {
			root := t.TempDir()
			posts := &archive.Posts{Dir: filepath.Join(root, "posts"), Location: time.UTC, Language: c.lang}
			newer, padded := strings.CutSuffix(newer, "-padded")
			older := map[string]string{"plain": "accented", "accented": "plain"}[newer]
			text := map[string]string{"accented": c.text, "plain": c.plain}
			if padded {
				text[newer] += c.pad
			} else {
				text[older] += c.pad
			}
			writePost(t, posts.Dir, "2024-05-01-"+newer+".md", "---\ntitle: Une question\n---\n\n"+text[newer]+"\n")
			writePost(t, posts.Dir, "2024-04-01-"+older+".md", "---\ntitle: Une question\n---\n\n"+text[older]+"\n")
			x, _, err := OpenIndex(filepath.Join(root, "index"), posts)
			if err != nil {
				t.Fatal(err)
			}
			if got := hitSlugs(t, x, c.query); !slices.Equal(got, []string{"accented", "plain"}) {
				t.Errorf("%s: %s finds %q, want the post that writes it so first", c.lang, c.query, got)
			}
			if got := hitSlugs(t, x, c.folded); !slices.Equal(got, []string{"plain", "accented"}) {
				t.Errorf("%s: %s finds %q, want the post that writes it so first", c.lang, c.folded, got)
			}
			if got := hitSlugs(t, x, `"`+c.query+`"`); len(got) != 2 {
				t.Errorf("%s: the phrase %q finds %q, want both posts", c.lang, c.query, got)
			}
			x.Close()
		}
	}
}

// TestLargePostsInSeveralBatches: posts whose terms pass a batch's bytes
// (batchBytes) go in several batches; every one is indexed, the manifest
// records them all, and a later sync finds only what changed.
func TestLargePostsInSeveralBatches(t *testing.T) {
	posts := &archive.Posts{Dir: filepath.Join(t.TempDir(), "posts"), Location: time.UTC}
	const n, words = 30, 30_000
	write := func(i int, extra string) {
		var body strings.Builder
		for j := range words {
			fmt.Fprintf(&body, "w%dx%d ", i, j)
		}
		writePost(t, posts.Dir, fmt.Sprintf("2024-01-%02d-big-%d.md", i+1, i),
			fmt.Sprintf("---\ntitle: Big %d\ndate: 2024-01-%02d\n---\n\nshared %s %s\n", i, i+1, extra, body.String()))
	}
	for i := range n {
		write(i, "")
	}
	list, _, err := posts.Headers()
	if err != nil || len(list) != n {
		t.Fatalf("Headers: %d posts, %v", len(list), err)
	}
	x, err := Rebuild(filepath.Join(t.TempDir(), "index"), list, Locale{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { x.Close() }()
	if got := hitSlugs(t, x, "w29x29999"); !slices.Equal(got, []string{"big-29"}) {
		t.Errorf("w29x29999 found %q, want big-29", got)
	}
	found, err := x.Search(context.Background(), Query{Text: "shared"})
	if err != nil || found.Total != n {
		t.Fatalf("shared: %v, %v; want %d posts", found.Total, err, n)
	}
	if err := os.Remove(filepath.Join(posts.Dir, "2024-01-01-big-0.md")); err != nil {
		t.Fatal(err)
	}
	write(1, "changed")
	res, err := x.Sync(posts)
	if err != nil || res.Indexed != 1 || res.Removed != 1 {
		t.Fatalf("Sync after a change and a removal: %+v, %v", res, err)
	}
	dir := x.dir
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if x, err = Open(dir, Locale{}); err != nil {
		t.Fatal(err)
	}
	if res, err := x.Sync(posts); err != nil || res.Indexed != 0 || res.Removed != 0 {
		t.Errorf("Sync of an archive unchanged: %+v, %v", res, err)
	}
	if got := hitSlugs(t, x, "changed"); !slices.Equal(got, []string{"big-1"}) {
		t.Errorf("changed found %q, want big-1", got)
	}
	if n, err := x.Len(); err != nil || n != 29 {
		t.Errorf("Len = %d, %v; want 29", n, err)
	}
}
