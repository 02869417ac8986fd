package search

import (
	"context"
	"math"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"

	"mailbag/archive/search/related"
	"mailbag/internal/parallel"
)

// What a reader asks is answered already when one of the posts that best
// match it (the first answerCandidates that Related finds) speaks, in one
// passage, of most of what the question does: minAnswerCover of the weight
// of the question's words that the archive has, each word weighed by how
// rare it is in the archive. A question most of whose weight is in words
// no post has (the archive never speaks of it) has no answer. The numbers
// were set on testdata/asked.txt, questions a reader might mail
// and the answers a person would point them to, or none
// (TestAnswersForQuestions, -v prints each candidate's cover): the true
// answers cover 0.55 and more, the best of the others 0.45.
const (
	minAnswerCover   = 0.5
	answerCandidates = 3
)

// Answers returns up to n past answers that answer question well, best
// first; none rather than weak ones. Hits have no fragments.
func (x *Index) Answers(ctx context.Context, question string, n int) ([]Hit, error) {
	if n <= 0 {
		return nil, nil
	}
	covers, err := x.covers(ctx, question)
	if err != nil {
		return nil, err
	}
	var out []Hit
	for _, c := range covers {
		if c.cover >= minAnswerCover && len(out) < n {
			out = append(out, c.hit)
		}
	}
	return out, nil
}

// covered is a post Related found for a question, and how much of the
// question it covers (0 to 1).
type covered struct {
	hit   Hit
	cover float64
}

// covers weighs the posts Related finds for question, in its order.
func (x *Index) covers(ctx context.Context, question string) ([]covered, error) {
	hits, err := x.Related(ctx, question, answerCandidates)
	if err != nil || len(hits) == 0 {
		return nil, err
	}
	analyzer := x.analyzer()
	words := strings.Fields(question)
	asked := map[string]bool{}
	for _, t := range analyzer.Analyze([]byte(strings.Join(words[:min(len(words), related.MaxWords)], " "))) {
		asked[string(t.Term)] = true
	}
	weight, unknown, err := x.rarity(asked)
	if err != nil {
		return nil, err
	}
	var all float64
	for _, w := range weight {
		all += w
	}
	out := make([]covered, len(hits))
	if unknown > all {
		// Most of what the question asks about is in no post at all: the
		// archive does not speak of it, whatever else it shares.
		for i, h := range hits {
			out[i] = covered{hit: h}
		}
		return out, nil
	}
	parallel.For(len(hits), func(i int) {
		out[i] = covered{hit: hits[i]}
		if all > 0 {
			out[i].cover = passageCover(analyzer.Analyze([]byte(hits[i].Title)), analyzer.Analyze([]byte(x.text(hits[i]))), weight) / all
		}
	})
	return out, nil
}

// answerPassage is how many words of a post a question's words are
// looked for together in: a long post has many words of any question
// somewhere, an answer has them in one passage.
const answerPassage = 150

// passageCover returns the most weight of the question's terms that the title
// and one passage of the body have together.
func passageCover(title, body analysis.TokenStream, weight map[string]float64) float64 {
	inTitle := map[string]bool{}
	base := 0.0
	for _, t := range title {
		if w, ok := weight[string(t.Term)]; ok && !inTitle[string(t.Term)] {
			inTitle[string(t.Term)] = true
			base += w
		}
	}
	count := map[string]int{}
	sum, best := base, base
	for i, t := range body {
		term := string(t.Term)
		if w, ok := weight[term]; ok && !inTitle[term] {
			if count[term]++; count[term] == 1 {
				sum += w
			}
		}
		if i >= answerPassage {
			old := string(body[i-answerPassage].Term)
			if w, ok := weight[old]; ok && !inTitle[old] {
				if count[old]--; count[old] == 0 {
					sum -= w
				}
			}
		}
		best = max(best, sum)
	}
	return best
}

// rarity weighs each term some post has by how few posts have it: the
// inverse document frequency, log(1 + posts / (1 + posts with it)),
// squared, so that the rare words of a question count far more than its
// common ones. unknown is the weight of the terms no post has, together.
func (x *Index) rarity(terms map[string]bool) (weight map[string]float64, unknown float64, err error) {
	x.swap.RLock()
	defer x.swap.RUnlock()
	v, err := x.view()
	if err != nil {
		return nil, 0, err
	}
	defer v.Close()
	total, err := v.docs()
	if err != nil {
		return nil, 0, err
	}
	weight = make(map[string]float64, len(terms))
	for term := range terms {
		df := max(v.docCount("title", term), v.docCount("body", term))
		idf := math.Log(1 + float64(total)/float64(1+df))
		if df == 0 {
			unknown += idf * idf
			continue
		}
		weight[term] = idf * idf
	}
	return weight, unknown, nil
}
