package search

import (
	"slices"
	"sync"
	"time"

	"mailbag/archive"
	"mailbag/archive/search/terms"
	"mailbag/internal/parallel"

	"github.com/blevesearch/bleve/v2/mapping"
)

// pairsAnalyzer is the index's analyzer of the body's pairs of common
// words, with the common terms in its configuration (terms.PairsName).
const pairsAnalyzer = "mailbag_common_pairs"

const (
	// commonSample is how many posts, spread over the archive, are read
	// to choose its common terms.
	commonSample = 2000
	// commonShare is the share of those posts a term must be in to be
	// common (one in commonShare), and commonMin how many at least: a
	// phrase with a rarer word finds few posts by it, whose texts are
	// read.
	commonShare = 100
	commonMin   = 5
)

// commonTerms returns the terms of the body in at least one in
// commonShare of the posts (and commonMin), read from a sample of up to
// commonSample of them spread over the archive, sorted. Which terms are
// chosen decides how quick a phrase is, never what it finds.
func commonTerms(posts []*archive.Post, loc *time.Location, lang string) ([]string, error) {
	n := min(len(posts), commonSample)
	if n == 0 {
		return nil, nil
	}
	a, err := terms.For(lang)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	df := map[string]int{}
	errs := make([]error, n)
	parallel.For(n, func(i int) {
		body, err := (&archive.Posts{Location: loc}).Body(posts[i*len(posts)/n])
		if err != nil {
			errs[i] = err
			return
		}
		seen := map[string]bool{}
		for _, t := range a.Analyze([]byte(archive.PlainText(body))) {
			seen[string(t.Term)] = true
		}
		mu.Lock()
		for t := range seen {
			df[t]++
		}
		mu.Unlock()
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	least := max(commonMin, n/commonShare)
	var out []string
	for t, c := range df {
		if c >= least {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out, nil
}

// commonRefresh is how many posts an index must hold at least before its
// common words are chosen again (Merge).
const commonRefresh = 1000

// commonStale reports whether the index holds commonRefresh posts or more
// and twice as many as the archive its common words were chosen from.
func (x *Index) commonStale() bool {
	n, err := x.Len()
	return err == nil && n >= commonRefresh && n >= 2*x.commonFrom()
}

// commonFrom returns how many posts the archive had when the index's
// common words were chosen.
func (x *Index) commonFrom() int {
	x.swap.RLock()
	defer x.swap.RUnlock()
	m, ok := x.shards[0].Mapping().(*mapping.IndexMappingImpl)
	if !ok {
		return 0
	}
	switch n := m.CustomAnalysis.Analyzers[pairsAnalyzer]["from"].(type) {
	case int:
		return n
	case float64: // as the mapping is read back from the index
		return int(n)
	}
	return 0
}
