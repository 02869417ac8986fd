package search

import (
	"slices"
	"sync"
	"time"

	"mailbag/archive"
	"mailbag/archive/search/terms"
	"mailbag/internal/parallel"
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
func commonTerms(posts []*archive.Post, loc *time.Location) ([]string, error) {
	n := min(len(posts), commonSample)
	if n == 0 {
		return nil, nil
	}
	a := terms.New()
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
