package search

import (
	"slices"
	"strings"
	"sync"
	"time"

	"mailbag/archive"
	"mailbag/archive/search/meaning"
	"mailbag/archive/search/terms"
	"mailbag/internal/parallel"

	"github.com/blevesearch/bleve/v2/analysis"
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
	// frequentPosts is about how many posts of the sample are read for
	// the pairs of common terms, and frequentShare the share of them a
	// pair must be in to be frequent (one in frequentShare, and
	// commonMin at least): two frequent pairs in a row make a triple
	// (terms.TripleTerm).
	frequentPosts = 500
	frequentShare = 20
	// runShare is the share of those posts a run of pairs of characters
	// must be in to be a term (frequentRuns; one in runShare, and
	// commonMin at least). Japanese at 10,000 posts over HTTP
	// (BenchmarkServe), phrases that many posts hold p99 / reindex beside
	// English: one in 20, 5.8 ms in process / 0.55; one in 7, 7.0 ms /
	// 0.77; one in 5, 9.6 ms / 0.85; without runs, 24.6 ms / 1.20.
	runShare = 5
	// modelPosts is about how many posts of the sample the model of
	// meaning learns from: their passages are more than it keeps
	// (meaning.Build).
	modelPosts = 1000
)

// sample is what is learnt of an archive from a sample of its posts:
// its common terms (commonTerms), its frequent pairs of them
// (frequentPairs), and its model of meaning (nil where it is too small
// for one).
type sample struct {
	common, frequent []string
	model            *meaning.Model
}

// readSample reads up to commonSample posts, spread over the archive, for
// its common terms and its model of meaning, keeping the texts of
// frequentPosts of them, spread over the sample, for its frequent pairs.
func readSample(posts []*archive.Post, loc *time.Location, lang string) (sample, error) {
	n := min(len(posts), commonSample)
	if n == 0 {
		return sample{}, nil
	}
	a, err := terms.For(lang)
	if err != nil {
		return sample{}, err
	}
	stem := stemmer(lang)
	stems := func(tokens analysis.TokenStream) []string {
		out := make([]string, len(tokens))
		for i, t := range tokens {
			out[i] = stem(string(t.Term))
		}
		return out
	}
	var mu sync.Mutex
	df := map[string]int{}
	passages := make([][][]string, n)
	stride := max(1, n/modelPosts) // the model learns from fewer posts
	texts := make([]string, n)
	kept := max(1, n/frequentPosts) // every kept-th text is kept for frequentPairs
	errs := make([]error, n)
	parallel.For(n, func(i int) {
		p := posts[i*len(posts)/n]
		body, err := (&archive.Posts{Location: loc}).Body(p)
		if err != nil {
			errs[i] = err
			return
		}
		text := archive.PlainText(body)
		if i%kept == 0 {
			texts[i] = text
		}
		tokens := a.Analyze([]byte(text))
		seen := map[string]bool{}
		for _, t := range tokens {
			seen[string(t.Term)] = true
		}
		if i%stride == 0 {
			passages[i] = meaning.Passages(stems(a.Analyze([]byte(p.Title))), stems(tokens))
		}
		mu.Lock()
		for t := range seen {
			df[t]++
		}
		mu.Unlock()
	})
	for _, err := range errs {
		if err != nil {
			return sample{}, err
		}
	}
	out := sample{common: commonTerms(df, n), model: meaning.Build(slices.Concat(passages...), len(posts))}
	texts = slices.DeleteFunc(texts, func(t string) bool { return t == "" })
	if terms.Bigrams(lang) {
		out.frequent = frequentRuns(texts, a.Plain())
	} else {
		out.frequent = frequentPairs(texts, terms.NewPairs(a, out.common))
	}
	return out, nil
}

// frequentRuns returns the runs of two to terms.MaxRun terms in a row
// (terms.RunTerm) in at least one in runShare of texts, and commonMin,
// sorted, of a language whose terms are pairs of characters:
// each counted only where the run of one term fewer at its start is
// frequent. A phrase that is such a run is that one term (phraseParts):
// 「ファイル」, in 9,950 of 10,000 Japanese posts, was each of them
// checked.
func frequentRuns(texts []string, a terms.Analyzer) []string {
	tokens := make([]analysis.TokenStream, len(texts))
	parallel.For(len(texts), func(i int) { tokens[i] = a.Analyze([]byte(texts[i])) })
	least := max(commonMin, len(texts)/runShare)
	frequent := map[string]bool{}
	var out []string
	for k := 2; k <= terms.MaxRun; k++ {
		var mu sync.Mutex
		df := map[string]int{}
		parallel.For(len(tokens), func(i int) {
			seen := map[string]bool{}
			ws := tokens[i]
			run := make([][]byte, k)
			for j := 0; j+k <= len(ws); j++ {
				if ws[j+k-1].Position != ws[j].Position+k-1 {
					continue
				}
				for m := range k {
					run[m] = ws[j+m].Term
				}
				if k > 2 && !frequent[terms.RunTerm(run[:k-1]...)] {
					continue
				}
				seen[terms.RunTerm(run...)] = true
			}
			mu.Lock()
			for t := range seen {
				df[t]++
			}
			mu.Unlock()
		})
		found := 0
		for t, c := range df {
			if c >= least {
				frequent[t] = true
				out = append(out, t)
				found++
			}
		}
		if found == 0 {
			break
		}
	}
	slices.Sort(out)
	return out
}

// frequentPairs returns the pairs of common terms (terms.PairTerm) in at
// least one in frequentShare of the texts of posts, and commonMin, sorted: a phrase
// of two such pairs in a row, found by its pairs alone, would have many
// posts to check. Chinese, Japanese and Korean have none: their words
// are pairs of characters, which make no pairs (terms.PairsName).
func frequentPairs(texts []string, pairs terms.Pairs) []string {
	var mu sync.Mutex
	df := map[string]int{}
	parallel.For(len(texts), func(i int) {
		seen := map[string]bool{}
		for line := range strings.Lines(pairs.Read([]byte(texts[i])).Pairs) {
			seen[strings.TrimSuffix(line, "\n")] = true
		}
		mu.Lock()
		for t := range seen {
			df[t]++
		}
		mu.Unlock()
	})
	least := max(commonMin, len(texts)/frequentShare)
	var out []string
	for t, c := range df {
		if c >= least {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// commonTerms returns the terms (df: how many posts of a sample of n have
// each) in at least one in commonShare of the posts, and commonMin,
// sorted. Which terms are chosen decides how quick a phrase is, never
// what it finds.
func commonTerms(df map[string]int, n int) []string {
	least := max(commonMin, n/commonShare)
	var out []string
	for t, c := range df {
		if c >= least {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
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
