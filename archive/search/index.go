package search

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"

	"mailbag/archive"
	"mailbag/archive/search/meaning"
	"mailbag/archive/search/terms"
	"mailbag/internal/atomicfile"
	"mailbag/internal/pagecache"
	"mailbag/internal/parallel"
)

// indexVersion changes whenever the mapping or the documents change shape;
// an index of another version is rebuilt.
const indexVersion = "14"

// Internal keys kept in the index's first shard beside the documents.
var (
	keyVersion  = []byte("mailbag.version")
	keyManifest = []byte("mailbag.manifest")
	keyLocation = []byte("mailbag.location") // the time zone the dates were read in
)

// batchSize is how many posts go into one index batch: bleve is as fast
// at 500 as at 1,000, and holds a fifth less memory (`mailbag reindex` of
// 10,000 posts, in turn: 9.6–10.1 s and 338–350 MB at 500, 9.8–12.5 s and
// 426–431 MB at 1,000).
const batchSize = 500

// batchBytes bounds a batch by what bleve holds of it until it is
// written: a batch is handed over early when the terms and pairs of its
// posts (terms.Body) would pass it. 500 posts of English, French or
// German hold 5–6 MB of them (BenchmarkReindex's posts; of Debian's
// manual pages in English or French, 8 MB, and 500 go as 376 and 124);
// 500 Japanese posts, whose terms are pairs of characters, 14 MB, and
// under the command's memory limit the collector then took a third of
// the reindex's processor time (BenchmarkReindex in Japanese: 113
// posts/s; 176 with this bound).
const batchBytes = 6 << 20

// maxSegmentPosts bounds how many posts bleve merges into one segment of
// the index (a file it maps into memory). A merge reads every page of the
// segments it merges, and builds their merged dictionaries in memory;
// with no bound, the last merges of a rebuild of 100,000 posts read the
// whole index, 770 MB, which counted in the memory the rebuild used. With
// the body's pairs of common words, a bound of 20,000 let a reindex of
// 100,000 posts peak at 585 MB; 10,000 keeps it at 485 MB (444 posts/s
// then, 351 now), searches as quick (BenchmarkServe, docs/benchmarks.md).
const maxSegmentPosts = 10_000

// Index is the search index of the posts: bleve indexes (its shards,
// shards.go) in a folder (.mailbag/index in a newsletter home). It is
// derived data: Rebuild makes it from the posts, Sync brings it up to date
// with them.
//
// An Index is safe for concurrent use: searches go on while it is updated
// or rebuilt. Only one process can have a folder's index open at a time;
// Open waits a few seconds for another to let go.
type Index struct {
	dir  string
	loc  *time.Location // the newsletter's time zone, for dates of hits
	lang string         // the language of the posts, as terms.Language has it

	// swap guards shards: held for reading by every use, for writing
	// only while a rebuilt index takes the old one's place.
	swap   sync.RWMutex
	shards []bleve.Index
	// an is the analyzer of the title and body: that of the index's
	// language, which a rebuild in place keeps, so read without swap.
	an terms.Analyzer

	mu     sync.Mutex // held while updating, and while a rebuilt index takes the old one's place
	closed bool       // under mu
	// rebuilding is held by the one Rebuild under way: they share the
	// folder the new index is made in.
	rebuilding sync.Mutex
	// gen counts the changes to the index since it was opened.
	gen atomic.Uint64
	// The manifest of indexed files (manifest.go) is read from the index
	// when an update needs it, not held: at 100,000 posts it is 10 MB
	// decoded, which a site serving searches has no use for.

	// texts are where search reads the text of a hit, for phrases and
	// fragments: the index's texts file (texts.go), else the posts folder
	// (set by Sync) and the file each document names (its field "file").
	texts struct {
		sync.RWMutex
		f   *os.File
		dir string
		// places says where each post's text is in f (texts.go);
		// allPlaced, that it has every post of the index.
		places    map[string]textPlace
		allPlaced bool
		mapped    []byte // f mapped into memory, where it can be
	}
	// cache recaches the files updates write (internal/pagecache).
	cache *pagecache.Recacher

	// meaning is the archive's model of meaning (model.go), as read from
	// file; tried is how many posts the index held when a model was last
	// learnt by Sync.
	meaning struct {
		sync.Mutex
		m     *meaning.Model
		file  fs.FileInfo
		tried int
	}
}

// indexDoc is what the index holds of a post. The slug is the document ID.
type indexDoc struct {
	Title string    `json:"title"`
	Body  string    `json:"body"`
	Pairs string    `json:"body_pairs"` // the body again, as its pairs of common words
	Date  time.Time `json:"date"`
	Tags  []string  `json:"tags"`
	File  string    `json:"file"` // the post's file name in the posts folder, stored only
	// Where the index's texts file has the body's plain text, and after
	// it its common words' codes (texts.go, terms.Codes).
	TextAt   int64 `json:"text_at"`
	TextLen  int64 `json:"text_len"`
	CodesLen int64 `json:"codes_len"`
}

// openConfig makes bleve give up after a while when another process holds
// the index, instead of waiting for ever. It is a new map each time because
// bleve writes the index's path into the map it is given.
func openConfig() map[string]any {
	return map[string]any{
		"bolt_timeout":           "3s",
		"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": maxSegmentPosts},
	}
}

// Locale is what of the newsletter an index depends on: its time zone
// (nil means UTC), in which hits carry their dates, and its language, a
// BCP 47 tag ("" means English), whose rules analyse the posts' words
// (terms.Language).
type Locale struct {
	Location *time.Location
	Language string
}

// Open opens the index in dir for the newsletter's Locale. The error wraps
// ErrIndexMissing when there is none, ErrIndexOutdated when it was made by
// another version of mailbag or for another time zone or language,
// ErrIndexCorrupt when it cannot be read; each is cured by Rebuild.
func Open(dir string, l Locale) (*Index, error) {
	loc := l.Location
	if loc == nil {
		loc = time.UTC
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("archive: open index %s: %w", dir, ErrIndexMissing)
	}
	shards, err := openShards(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: open index %s: %w", dir, err)
	}
	x := &Index{dir: dir, shards: shards, an: analyzerOf(shards), loc: loc, lang: terms.Language(l.Language), cache: pagecache.New(dir, textsName)}
	if err := x.readMeta(); err != nil {
		closeShards(shards)
		if errors.Is(err, ErrIndexOutdated) {
			return nil, fmt.Errorf("archive: open index %s: %w", dir, err)
		}
		return nil, fmt.Errorf("archive: open index %s: %w: %v", dir, ErrIndexCorrupt, err)
	}
	x.openTexts()
	return x, nil
}

// OpenIndex opens the index in dir and brings it up to date with posts, as
// Sync does. Where there is no index, or one made by another version of
// mailbag or for another time zone, or one that cannot be read (a crash in
// the middle of writing it), it builds one from posts, and the result's
// Rebuilt says why. The result also says what changed and which post files
// were left out. The error wraps ErrIndexBusy while another process has the
// index open.
func OpenIndex(dir string, posts *archive.Posts) (*Index, SyncResult, error) {
	locale := Locale{Location: posts.Location, Language: posts.Language}
	x, err := Open(dir, locale)
	if errors.Is(err, ErrIndexMissing) || errors.Is(err, ErrIndexOutdated) || errors.Is(err, ErrIndexCorrupt) {
		list, problems, lerr := posts.Headers()
		if lerr != nil {
			return nil, SyncResult{}, lerr
		}
		x, rerr := Rebuild(dir, list, locale)
		if rerr == nil {
			x.readTextsFrom(posts.Dir)
		}
		return x, SyncResult{Indexed: len(list), Problems: problems, Rebuilt: rebuiltBecause(err)}, rerr
	}
	if err != nil {
		return nil, SyncResult{}, err
	}
	res, err := x.Sync(posts)
	if err != nil {
		x.Close()
		return nil, res, err
	}
	return x, res, nil
}

// RebuiltNew is SyncResult.Rebuilt when there was no index: a new home, or
// one whose index was removed.
const RebuiltNew = "there was none"

// rebuiltBecause says in words why OpenIndex rebuilt the index.
func rebuiltBecause(err error) string {
	if errors.Is(err, ErrIndexMissing) {
		return RebuiltNew
	}
	msg := err.Error()
	for _, e := range []error{ErrIndexOutdated, ErrIndexCorrupt} {
		if i := strings.Index(msg, e.Error()); i >= 0 {
			return strings.TrimPrefix(msg[i:], "search: ")
		}
	}
	return msg
}

// readMeta reads what the index says of itself: the version of mailbag's
// index, the time zone its dates are in, and the manifest of post files.
func (x *Index) readMeta() error {
	v, err := x.shards[0].GetInternal(keyVersion)
	if err != nil {
		return err
	}
	if string(v) != indexVersion {
		return fmt.Errorf("%w: made by another version of mailbag (index version %q, this one makes %q)", ErrIndexOutdated, v, indexVersion)
	}
	loc, err := x.shards[0].GetInternal(keyLocation)
	if err != nil {
		return err
	}
	if string(loc) != x.loc.String() {
		return fmt.Errorf("%w: its dates are in the time zone %q, the newsletter's is %q", ErrIndexOutdated, loc, x.loc)
	}
	if made := x.shards[0].Mapping().AnalyzerNameForPath("body"); made != terms.NameFor(x.lang) {
		return fmt.Errorf("%w: its words are analysed as %s, the newsletter's language is %s", ErrIndexOutdated, languageOf(made), languageOf(terms.NameFor(x.lang)))
	}
	_, err = x.manifest() // read once here, so that a damaged one is found at open
	return err
}

// manifest returns the index's manifest of indexed files, file name to what
// was indexed of it.
func (x *Index) manifest() (map[string]indexedFile, error) {
	raw, err := x.shards[0].GetInternal(keyManifest)
	if err != nil {
		return nil, err
	}
	return decodeManifest(raw)
}

// Rebuild makes a new index of posts in dir, replacing any index there only
// once the new one is complete: a failed rebuild, or a crash, leaves the old
// index as it was. It returns the new index, open, as Open does, reading
// the posts' texts (for phrases and fragments) from the folder of their
// files, for the newsletter's Locale.
func Rebuild(dir string, posts []*archive.Post, l Locale) (*Index, error) {
	if l.Location == nil {
		l.Location = time.UTC
	}
	tmp := dir + ".new"
	if err := buildAside(tmp, posts, l.Location, terms.Language(l.Language)); err != nil {
		return nil, err
	}
	if err := atomicfile.ReplaceDir(tmp, dir); err != nil {
		return nil, fmt.Errorf("archive: rebuild index: %w", err)
	}
	x, err := Open(dir, l)
	if err == nil && len(posts) > 0 && posts[0].Path != "" {
		x.readTextsFrom(filepath.Dir(posts[0].Path))
	}
	return x, err
}

// Rebuild makes x anew from posts, in place: searches and updates go on
// with the old index while the new one is made beside it, then move to the
// new one. A post file changed while it was being made is not lost: the
// next Sync finds it changed against the new index's manifest.
func (x *Index) Rebuild(posts []*archive.Post) error {
	x.rebuilding.Lock()
	defer x.rebuilding.Unlock()
	tmp := x.dir + ".new"
	if err := buildAside(tmp, posts, x.loc, x.lang); err != nil {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		os.RemoveAll(tmp)
		return fmt.Errorf("archive: rebuild index: %w", ErrIndexClosed)
	}
	x.swap.Lock()
	defer x.swap.Unlock()
	if err := closeShards(x.shards); err != nil {
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	if err := atomicfile.ReplaceDir(tmp, x.dir); err != nil {
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	shards, err := openShards(x.dir)
	if err != nil {
		x.closed = true
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	x.shards = shards
	x.openTexts()
	x.cache.Close()
	x.cache = pagecache.New(x.dir, textsName)
	x.gen.Add(1)
	if err := x.readMeta(); err != nil {
		return fmt.Errorf("archive: rebuild index: %w: %v", ErrIndexCorrupt, err)
	}
	return nil
}

// buildAside makes a complete index of posts in dir (anything there first
// is removed) and closes it; lang is as terms.Language has it.
func buildAside(dir string, posts []*archive.Post, loc *time.Location, lang string) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	sample, err := readSample(posts, loc, lang)
	if err != nil {
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	shards, err := createShards(dir, sample.common, sample.frequent, len(posts), lang)
	if err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	x := &Index{dir: dir, shards: shards, an: analyzerOf(shards), loc: loc, lang: lang}
	if err := errors.Join(x.update(map[string]indexedFile{}, posts, nil), mergeShards(shards)); err != nil {
		closeShards(shards)
		os.RemoveAll(dir)
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	if err := closeShards(shards); err != nil {
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	if err := writeModel(dir, sample.model); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("archive: rebuild index: %w", err)
	}
	pagecache.All(dir, textsName)
	return nil
}

// newMapping returns the index layout: title and body as text in lang (as
// terms.Language has it: English's plurals made singular, stop words
// dropped; another language's stemmer and stop words), the title with its words' positions,
// the body without them but with its pairs of common words (common, see
// terms.PairsName) and the triples of two frequent pairs in a row
// (frequent), so that a phrase is found exactly, in any post, and
// quickly; the date as a date and tags as exact keywords. There is no catch-all _all field and no doc
// values on text: both cost time and space, and queries name their fields.
func newMapping(common, frequent []string, from int, lang string) mapping.IndexMapping {
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = terms.NameFor(lang)
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	date := bleve.NewDateTimeFieldMapping()
	date.IncludeInAll = false
	tags := bleve.NewKeywordFieldMapping()
	tags.IncludeInAll = false
	tags.Store = false
	tags.DocValues = false

	body := text()
	body.Store = false              // fragments are made from the posts' texts (texts.go)
	body.IncludeTermVectors = false // phrases: body_pairs, and the texts (phrase.go)
	pairs := text()
	pairs.Analyzer = pairsAnalyzer
	pairs.Store = false
	pairs.IncludeTermVectors = false
	post := bleve.NewDocumentStaticMapping()
	post.AddFieldMappingsAt("title", text())
	post.AddFieldMappingsAt("body", body)
	post.AddFieldMappingsAt("body_pairs", pairs)
	post.AddFieldMappingsAt("date", date)
	post.AddFieldMappingsAt("tags", tags)
	file := bleve.NewKeywordFieldMapping() // kept for the hits, not searched
	file.Index = false
	file.IncludeInAll = false
	file.DocValues = false
	post.AddFieldMappingsAt("file", file)
	for _, name := range []string{"text_at", "text_len", "codes_len"} {
		n := bleve.NewNumericFieldMapping() // kept for the hits, not searched
		n.Index = false
		n.IncludeInAll = false
		n.DocValues = false
		post.AddFieldMappingsAt(name, n)
	}

	m := bleve.NewIndexMapping()
	list := func(ts []string) []any {
		out := make([]any, len(ts))
		for i, t := range ts {
			out[i] = t
		}
		return out
	}
	if err := m.AddCustomAnalyzer(pairsAnalyzer, map[string]any{"type": terms.PairsName, "common": list(common), "frequent": list(frequent), "from": from, "language": lang}); err != nil {
		panic(err) // terms registers the type
	}
	m.DefaultMapping = post
	m.DefaultAnalyzer = terms.NameFor(lang)
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false
	return m
}

// update indexes posts and deletes the documents of the files gone (by file
// name), in batches, and records the new manifest (m, the index's manifest
// read under x.mu, changed accordingly) and version with the last batch.
// The next batch is prepared (Markdown to text, documents mapped) while
// bleve writes the one before.
func (x *Index) update(m map[string]indexedFile, posts []*archive.Post, gone []string) error {
	goneSlugs := make([]string, 0, len(gone))
	for _, name := range gone {
		goneSlugs = append(goneSlugs, m[name].Slug)
		delete(m, name)
	}
	texts, err := openTextWriter(x.dir)
	if err != nil {
		return err
	}
	place, err := newPlacer(x.shards, len(posts))
	if err != nil {
		texts.close()
		return err
	}
	stop := make(chan struct{})
	defer close(stop)
	ready := x.prepare(posts, goneSlugs, place, texts, stop)

	var last *preparedBatch
	for pr := range ready {
		if pr.err != nil {
			return pr.err
		}
		if last != nil {
			if err := apply(x.shards, last.batches); err != nil {
				return err
			}
			x.placed(last.places)
		}
		for _, p := range pr.posts {
			if name, size, modTime := p.FileVersion(); name != "" {
				m[name] = indexedFile{Slug: p.Slug, Size: size, ModTime: modTime}
			}
		}
		last = &pr
	}
	// The last batch carries the manifest, so that the index never
	// records a post it does not hold.
	raw, err := encodeManifest(m)
	if err != nil {
		return err
	}
	// It goes to the first shard, after the other shards' batches.
	meta := last.batches[0]
	meta.SetInternal(keyManifest, raw)
	meta.SetInternal(keyVersion, []byte(indexVersion))
	meta.SetInternal(keyLocation, []byte(x.loc.String()))
	if err := apply(x.shards[1:], last.batches[1:]); err != nil {
		return err
	}
	if err := x.shards[0].Batch(meta); err != nil {
		return err
	}
	x.placed(last.places)
	x.gen.Add(1)
	if x.cache != nil {
		x.cache.Soon()
	}
	return nil
}

// apply writes each shard's batch at once, those with nothing in them
// left out.
func apply(shards []bleve.Index, batches []*bleve.Batch) error {
	errs := make([]error, len(batches))
	parallel.For(len(batches), func(i int) {
		if batches[i].Size() > 0 {
			errs[i] = shards[i].Batch(batches[i])
		}
	})
	return errors.Join(errs...)
}

// preparedBatch is a batch of posts mapped to documents, ready for bleve:
// a batch for each shard.
type preparedBatch struct {
	batches []*bleve.Batch
	posts   []*archive.Post
	places  map[string]textPlace // where the posts' texts are (texts.go)
	err     error
}

// prepare maps posts to documents batchSize at a time, on a goroutine of
// its own, the first batch deleting the documents of goneSlugs, each
// document's text and codes appended to texts (which it closes), and hands
// the batches over one at a time until done, or until stop is closed. There
// is always one batch, if only to carry the deletes and the manifest.
// place says which shard each post goes to; it is deleted from the others
// that had posts (it may have been in one of them before).
func (x *Index) prepare(posts []*archive.Post, goneSlugs []string, place *placer, texts *textWriter, stop <-chan struct{}) <-chan preparedBatch {
	chunks := slices.Collect(slices.Chunk(posts, batchSize))
	if len(chunks) == 0 {
		chunks = [][]*archive.Post{nil}
	}
	ready := make(chan preparedBatch, 1)
	pairs := x.pairs()
	go func() {
		defer close(ready)
		defer texts.close() // each batch's texts were synced before it was handed over
		first := true
		// newBatch starts a batch, the first deleting the documents of
		// goneSlugs.
		newBatch := func() preparedBatch {
			pr := preparedBatch{batches: make([]*bleve.Batch, len(x.shards)), places: map[string]textPlace{}}
			for s, shard := range x.shards {
				pr.batches[s] = shard.NewBatch()
				if first && place.had[s] {
					for _, slug := range goneSlugs {
						pr.batches[s].Delete(slug)
					}
				}
			}
			first = false
			return pr
		}
		// handOver syncs the batch's texts and hands it over; false when
		// stopped or the batch failed.
		handOver := func(pr preparedBatch) bool {
			if pr.err == nil {
				pr.err = texts.sync() // the texts are on the disk before the documents that point to them
			}
			select {
			case ready <- pr:
				return pr.err == nil
			case <-stop:
				return false
			}
		}
		for _, chunk := range chunks {
			pr := newBatch()
			// The documents are made on every core; a post listed without
			// its body (Posts.Headers) has it read now, so that a batch's
			// bodies are all that is held of them.
			docs := make([]indexDoc, len(chunk))
			read := make([]terms.Body, len(chunk))
			errs := make([]error, len(chunk))
			parallel.For(len(chunk), func(k int) {
				p := chunk[k]
				body, err := (&archive.Posts{Location: x.loc}).Body(p)
				if err != nil {
					errs[k] = err
					return
				}
				text := archive.PlainText(body)
				docs[k] = indexDoc{Title: p.Title, Body: text, Date: p.Date, Tags: p.Tags, File: fileName(p)}
				read[k] = pairs.Read([]byte(text))
				docs[k].Pairs = read[k].Pairs
			})
			held := 0 // the bytes of the batch's terms and pairs
			for k, p := range chunk {
				size := len(read[k].Terms) + len(read[k].Pairs)
				if held > 0 && held+size > batchBytes {
					if !handOver(pr) {
						return
					}
					pr, held = newBatch(), 0
				}
				held += size
				pr.posts = append(pr.posts, p)
				if errs[k] == nil {
					var at textPlace
					at, errs[k] = texts.add(p.Slug, docs[k].Body, read[k].Codes)
					docs[k].TextAt, docs[k].TextLen, docs[k].CodesLen = at.at, at.n, at.codes
					pr.places[p.Slug] = at
				}
				s := place.next()
				if errs[k] == nil {
					errs[k] = indexAnalyzed(pr.batches[s], x.shards[s].Mapping(), p.Slug, docs[k], read[k].Terms)
				}
				read[k] = terms.Body{}
				if err := errs[k]; err != nil {
					pr.err = fmt.Errorf("index %s: %w", p.Slug, err)
					break
				}
				for other, b := range pr.batches {
					if other != s && place.had[other] {
						b.Delete(p.Slug)
					}
				}
			}
			if !handOver(pr) {
				return
			}
		}
	}()
	return ready
}

// indexAnalyzed adds the document of a post (d, mapped by m) to b, with
// its body's terms made already (terms.Body) in place of its text: bleve
// would make them again, and hold a copy of the text until then.
func indexAnalyzed(b *bleve.Batch, m mapping.IndexMapping, id string, d indexDoc, body terms.Packed) error {
	d.Body = ""
	doc := document.NewDocument(id)
	if err := m.MapDocument(doc, d); err != nil {
		return err
	}
	for i, f := range doc.Fields {
		if t, ok := f.(*document.TextField); ok && t.Name() == "body" {
			if t.Options().IncludeTermVectors() {
				return errors.New("the body's field keeps its words' places, which its packed terms have not")
			}
			doc.Fields[i] = document.NewTextFieldCustom(t.Name(), t.ArrayPositions(), nil, t.Options(), &analyzed{body})
		}
	}
	return b.IndexAdvanced(doc)
}

// analyzed is an analyzer of one text whose terms are made already: it
// gives them once (bleve analyses each field of a document once), and
// lets them go.
type analyzed struct{ terms terms.Packed }

func (a *analyzed) Analyze([]byte) analysis.TokenStream {
	t := a.terms.Tokens()
	a.terms = nil
	return t
}

// Add indexes posts (new ones, or new versions of indexed ones).
func (x *Index) Add(posts ...*archive.Post) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.swap.RLock()
	defer x.swap.RUnlock()
	m, err := x.manifest()
	if err != nil {
		return fmt.Errorf("archive: index posts: %w", err)
	}
	if err := x.update(m, posts, nil); err != nil {
		return fmt.Errorf("archive: index posts: %w", err)
	}
	return nil
}

// Merge merges each shard's segments into as few as maxSegmentPosts
// allows, as a rebuild does, and reads the new files back into the cache
// page by page (internal/pagecache). An import of many posts ends with it: left to
// bleve, 100,000 posts imported kept eleven segments a shard, merged in the
// background after the import's last update, in the cache as written; serve
// then took 190 MB under the benchmark's load, 121 MB after a reindex.
//
// Where the index has grown to twice the posts its common words were
// chosen from (commonStale: an import into a new home), it is rebuilt
// from the posts' folder instead, which chooses them again and merges.
func (x *Index) Merge() error {
	if x.commonStale() {
		x.texts.RLock()
		dir := x.texts.dir
		x.texts.RUnlock()
		if dir != "" {
			posts, _, err := (&archive.Posts{Dir: dir, Location: x.loc}).Headers()
			if err != nil {
				return fmt.Errorf("archive: %w", err)
			}
			return x.Rebuild(posts)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.swap.RLock()
	defer x.swap.RUnlock()
	if err := mergeShards(x.shards); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if x.cache != nil {
		x.cache.New()
	}
	return nil
}

// Len returns the number of posts in the index.
func (x *Index) Len() (int, error) {
	x.swap.RLock()
	defer x.swap.RUnlock()
	var total uint64
	for _, s := range x.shards {
		n, err := s.DocCount()
		if err != nil {
			return 0, fmt.Errorf("archive: count index: %w", err)
		}
		total += n
	}
	return int(total), nil
}

// Close closes the index; it must not be used afterwards. Closing it again
// does nothing.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	x.cache.Close()
	if err := closeShards(x.shards); err != nil {
		return fmt.Errorf("archive: close index: %w", err)
	}
	x.cache.Written()
	return x.closeTexts()
}

// fileName returns the base name of the file p was read from; "" for a new post.
func fileName(p *archive.Post) string {
	name, _, _ := p.FileVersion()
	return name
}
