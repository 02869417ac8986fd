package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"

	"mailbag/archive/search/terms"
	"mailbag/internal/parallel"
)

// The index is two bleve indexes, its shards, in folders of the index's
// folder, searched at once on every core. A search of words common in the
// archive scores every post that has them, one after the other. What it
// buys (BenchmarkServe's search-words at 100,000 posts, two cores): two
// halves scored side by side answer such a search in about 0.6 of the
// time the whole takes (docs/benchmarks.md, "The binary over HTTP").
//
// Where a post goes: bleve weighs a word by how few posts of its shard
// have it, so a post's score depends a little on the other posts of its
// shard. Below shardFrom posts every post is in the first shard and the
// second is empty, so a small archive is ranked exactly as one index
// ranks it (and is searched fast anyway). From shardFrom posts on, each
// post indexed goes to the shard with fewer posts, and a rebuild deals
// them out in turn: the shards hold halves alike, in which a word weighs
// about the same. A post indexed again is deleted from the other shard.
//
// What the index says of itself (version, time zone, manifest) is kept in
// the first shard, written with an update's last batch after the other
// shard's: the manifest never records a post the index does not hold.

// shardCount is how many shards an index has.
const shardCount = 2

// shardFrom is how many posts an archive has before they are spread over
// the shards. A variable, for tests.
var shardFrom = 5000

// shardDir returns the folder of shard i of the index in dir.
func shardDir(dir string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("shard-%d", i))
}

// createShards makes the empty shards of a new index in dir of posts in
// lang, whose body's pairs are of the common terms, and triples of the
// frequent pairs, chosen from an archive of from posts.
func createShards(dir string, common, frequent []string, from int, lang string) ([]bleve.Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	shards := make([]bleve.Index, 0, shardCount)
	for i := range shardCount {
		s, err := bleve.NewUsing(shardDir(dir, i), newMapping(common, frequent, from, lang), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, openConfig())
		if err != nil {
			closeShards(shards)
			return nil, err
		}
		shards = append(shards, s)
	}
	return shards, nil
}

// openShards opens the shards of the index in dir. The error wraps
// ErrIndexBusy while another process has them open, ErrIndexOutdated for
// the one bleve index of mailbag before shards, ErrIndexCorrupt when a
// shard is missing or cannot be read.
func openShards(dir string) ([]bleve.Index, error) {
	if _, err := os.Stat(filepath.Join(dir, "index_meta.json")); err == nil {
		return nil, fmt.Errorf("%w: made by an older version of mailbag (one index where this one keeps %d shards)", ErrIndexOutdated, shardCount)
	}
	shards := make([]bleve.Index, 0, shardCount)
	for i := range shardCount {
		sdir := shardDir(dir, i)
		if _, err := os.Stat(sdir); errors.Is(err, fs.ErrNotExist) {
			closeShards(shards)
			return nil, fmt.Errorf("%w: its shard %s is missing", ErrIndexCorrupt, filepath.Base(sdir))
		}
		s, err := bleve.OpenUsing(sdir, openConfig())
		if errors.Is(err, bolterrors.ErrTimeout) {
			closeShards(shards)
			return nil, ErrIndexBusy
		}
		if err != nil {
			closeShards(shards)
			return nil, fmt.Errorf("%w: %v", ErrIndexCorrupt, err)
		}
		shards = append(shards, s)
	}
	return shards, nil
}

// closeShards closes shards, and says what went wrong.
func closeShards(shards []bleve.Index) error {
	var errs []error
	for _, s := range shards {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// mergeShards merges the segments of each shard of a new index into as
// few as maxSegmentPosts allows. bleve leaves the last batches of a
// rebuild in segments of their own (eleven a shard at 100,000 posts, five
// after this), and each segment has its own dictionaries, which every
// search looks its words up in: with four, serve's memory under the
// benchmark's load is 16 MB smaller (the pages of the index it maps).
//
// bleve merges at most ten segments into one at a time, so a shard in
// more segments than its posts need is merged again, mergeTries times at
// most.
//
// bleve writes a merge's snapshot down after the merge returns, in its own
// time: a shard closed before then (a rebuild closes its shards at once)
// opened again in its segments from before the merge
// (TestMergedShardsOpenMerged, under -race on a busy machine). An empty
// batch returns once bleve has written down every snapshot before its
// own, so mergeShards returns once the merged shards are on disk.
func mergeShards(shards []bleve.Index) error {
	opts := mergeplan.SingleSegmentMergePlanOptions
	opts.MaxSegmentSize = maxSegmentPosts
	opts.FloorSegmentSize = maxSegmentPosts
	for _, s := range shards {
		adv, err := s.Advanced()
		if err != nil {
			return err
		}
		sc, ok := adv.(*scorch.Scorch)
		if !ok {
			continue
		}
		n, err := s.DocCount()
		if err != nil {
			return err
		}
		want := max(1, (n+maxSegmentPosts-1)/maxSegmentPosts)
		for range mergeTries {
			if err := sc.ForceMerge(context.Background(), &opts); err != nil {
				return fmt.Errorf("merge segments: %w", err)
			}
			got, err := segmentsOf(sc)
			if err != nil {
				return fmt.Errorf("merge segments: %w", err)
			}
			if uint64(got) <= want {
				break
			}
		}
		if err := s.Batch(s.NewBatch()); err != nil {
			return fmt.Errorf("write the merged segments: %w", err)
		}
	}
	return nil
}

// mergeTries is how many times mergeShards merges a shard at most.
const mergeTries = 3

// segmentsOf returns how many segments the shard sc's current snapshot
// holds.
func segmentsOf(sc *scorch.Scorch) (int, error) {
	r, err := sc.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, fmt.Errorf("a shard's reader is a %T, not bleve's snapshot", r)
	}
	return len(snap.Segments()), nil
}

// analyzerOf returns the analyzer of the shards' title and body, as their
// mapping names it; English's where it names none of mailbag's.
func analyzerOf(shards []bleve.Index) terms.Analyzer {
	m := shards[0].Mapping()
	if a, ok := m.AnalyzerNamed(m.AnalyzerNameForPath("body")).(terms.Analyzer); ok {
		return a.Plain()
	}
	return terms.New()
}

// languageOf names in words the language of an analyzer of terms.
func languageOf(analyzer string) string {
	for _, l := range terms.Languages() {
		if terms.NameFor(l) == analyzer {
			return strconv.Quote(l)
		}
	}
	if analyzer == terms.NameFor("und") {
		return "a language without rules of its own"
	}
	return strconv.Quote(analyzer)
}

// pairs returns the analyzer of the body's pairs of common words.
func (x *Index) pairs() terms.Pairs {
	p, _ := x.shards[0].Mapping().AnalyzerNamed(pairsAnalyzer).(terms.Pairs)
	return p
}

// analyzer returns the analyzer of the index's title and body.
func (x *Index) analyzer() terms.Analyzer {
	return x.an
}

// placer says which shard each post indexed goes to, from how many posts
// each holds.
type placer struct {
	counts []uint64
	had    []bool // which shards had posts before the update
	spread bool   // the archive is large enough to spread over the shards
}

// newPlacer returns the placer for an update of shards, as they are now,
// indexing adding posts.
func newPlacer(shards []bleve.Index, adding int) (*placer, error) {
	p := &placer{counts: make([]uint64, len(shards)), had: make([]bool, len(shards))}
	var total uint64
	for i, s := range shards {
		n, err := s.DocCount()
		if err != nil {
			return nil, err
		}
		p.counts[i], p.had[i] = n, n > 0
		total += n
	}
	p.spread = total+uint64(adding) >= uint64(shardFrom)
	return p, nil
}

// next returns the shard of the next post indexed: the first while the archive
// is small, else the one with fewest posts.
func (p *placer) next() int {
	i := 0
	if p.spread {
		i = slices.Index(p.counts, slices.Min(p.counts))
	}
	p.counts[i]++
	return i
}

// search runs req, sorted by score as bleve's requests are unless told
// otherwise, on every shard at once and merges their hits, best first.
// Hits of equal score are in the order of their shards, each shard's in its
// own order, so that pages of the same search follow on. A post found in
// two shards (indexed again between the two searches) is kept once.
//
// Why not bleve.NewIndexAlias, whose MultiSearch merges shards the same
// way: it would list such a post twice, and it searches a small archive's
// empty second shard too.
func (x *Index) search(ctx context.Context, req *bleve.SearchRequest) (total uint64, hits bsearch.DocumentMatchCollection, err error) {
	// A small archive's second shard is empty: it is not searched.
	shards := make([]bleve.Index, 0, len(x.shards))
	for _, s := range x.shards {
		if n, err := s.DocCount(); err != nil || n > 0 {
			shards = append(shards, s)
		}
	}
	results := make([]*bleve.SearchResult, len(shards))
	errs := make([]error, len(shards))
	parallel.For(len(shards), func(i int) {
		r := *req
		r.From, r.Size = 0, req.From+req.Size
		results[i], errs[i] = shards[i].SearchInContext(ctx, &r)
	})
	if err := errors.Join(errs...); err != nil {
		return 0, nil, err
	}
	var all bsearch.DocumentMatchCollection
	for _, r := range results {
		total += r.Total
		all = append(all, r.Hits...)
	}
	slices.SortStableFunc(all, func(a, b *bsearch.DocumentMatch) int { return cmp.Compare(b.Score, a.Score) })
	seen := make(map[string]bool, len(all))
	all = slices.DeleteFunc(all, func(h *bsearch.DocumentMatch) bool {
		dup := seen[h.ID]
		seen[h.ID] = true
		return dup
	})
	return total, all[min(req.From, len(all)):min(req.From+req.Size, len(all))], nil
}

// scan returns every post q finds, its slug and score alone, in no order
// of score: each shard's in the shard's own order, shard after shard, as
// search orders hits of equal score. It reads the shards at once, through
// bleve's searchers rather than its collector, which keeps every hit and
// sorts them all: a phrase's check needs every post that may hold it but
// ranks only a page of them (what it buys: searchPhrases).
func (x *Index) scan(ctx context.Context, q query.Query) ([]Hit, error) {
	found := make([][]scored, len(x.shards))
	errs := make([]error, len(x.shards))
	parallel.For(len(x.shards), func(i int) {
		found[i], errs[i] = scanShard(ctx, x.shards[i], q)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	n := 0
	for _, f := range found {
		n += len(f)
	}
	hits := make([]Hit, 0, n)
	for _, f := range found {
		for _, s := range f {
			hits = append(hits, Hit{Slug: s.slug, Score: s.score})
		}
	}
	return hits, nil
}

// scored is a post a shard's searcher found, by its slug, and its score:
// a sixth of a Hit's size. The shards' hits of a phrase that 4,879 of
// 10,000 posts may hold were 2.1 MB of Hits, made room for and copied;
// 1.25 MB with scored (-memprofile of BenchmarkSearch's query).
type scored struct {
	slug  string
	score float64
}

// scanShard returns every post q finds in shard s, in its order.
func scanShard(ctx context.Context, s bleve.Index, q query.Query) ([]scored, error) {
	adv, err := s.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	searcher, err := q.Searcher(ctx, r, s.Mapping(), bsearch.SearcherOptions{})
	if err != nil {
		return nil, err
	}
	defer searcher.Close()
	sc := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(searcher.DocumentMatchPoolSize(), 0)}
	var found []scored
	for {
		if len(found)%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		m, err := searcher.Next(sc)
		if err != nil || m == nil {
			return found, err
		}
		slug, err := r.ExternalID(m.IndexInternalID)
		if err != nil {
			return nil, err
		}
		found = append(found, scored{slug, m.Score})
		sc.DocumentMatchPool.Put(m)
	}
}

// view is a reader of every shard, for what the index's dictionaries
// say; close it after use.
type view []index.IndexReader

func (x *Index) view() (view, error) {
	v := make(view, 0, len(x.shards))
	for _, s := range x.shards {
		adv, err := s.Advanced()
		if err == nil {
			var r index.IndexReader
			if r, err = adv.Reader(); err == nil {
				v = append(v, r)
				continue
			}
		}
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v view) Close() {
	for _, r := range v {
		r.Close()
	}
}

// docs returns how many posts the index holds.
func (v view) docs() (uint64, error) {
	var total uint64
	for _, r := range v {
		n, err := r.DocCount()
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// docCount returns how many posts have term in field.
func (v view) docCount(field, term string) uint64 {
	var total uint64
	for _, r := range v {
		tfr, err := r.TermFieldReader(context.Background(), []byte(term), field, false, false, false)
		if err != nil {
			continue
		}
		total += tfr.Count()
		tfr.Close()
	}
	return total
}

// near returns the terms of field within fuzziness of term, with how many
// posts have each.
func (v view) near(field, term string, fuzziness int) ([]dictEntry, error) {
	return v.terms(field, func(r index.IndexReader) (index.FieldDict, error) {
		fuzzy, ok := r.(index.IndexReaderFuzzy)
		if !ok {
			return nil, errors.New("the index cannot look up near terms")
		}
		return fuzzy.FieldDictFuzzy(field, term, fuzziness, "")
	}, func(string) bool { return true })
}

// terms reads the terms of field in the dictionaries open opens, one a
// shard, those keep keeps, with how many posts have each, in no order.
func (v view) terms(field string, open func(index.IndexReader) (index.FieldDict, error), keep func(term string) bool) ([]dictEntry, error) {
	counts := map[string]uint64{}
	for _, r := range v {
		dict, err := open(r)
		if err != nil {
			return nil, err
		}
		for {
			e, err := dict.Next()
			if err != nil {
				dict.Close()
				return nil, err
			}
			if e == nil {
				break
			}
			if !keep(e.Term) {
				continue
			}
			n := e.Count
			if n == 0 { // some dictionaries leave it out
				n = view{r}.docCount(field, e.Term)
			}
			counts[e.Term] += n
		}
		dict.Close()
	}
	found := make([]dictEntry, 0, len(counts))
	for term, n := range counts {
		found = append(found, dictEntry{term, n})
	}
	return found, nil
}
