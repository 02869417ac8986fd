package search

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"

	"mailbag/archive/search/meaning"
	"mailbag/archive/search/related"
	"mailbag/internal/parallel"
)

// What a reader asks is answered already when one of the posts most like
// it (the first answerCandidates that Related finds) answers it well by
// two measures together, their sum minAnswerScore or more:
//
//   - its cover: the question's words each weighed by how rare it is in
//     the archive (rarity) and by how much the post speaks of it, as a
//     share of their weight (times nearCover). How much a post speaks of
//     a word is BM25's: the times the post has it (a title's word counting
//     titleTimes), saturating (coverSaturation) and less in a long post
//     than in a short one (coverLength). Words are matched by their stems
//     (stemmer). The words no post has count in the question's weight: a
//     question the archive never speaks of covers little, whatever else
//     it shares.
//   - how near in meaning the post's nearest passage is to the question,
//     by the archive's own model of which words go together (model.go,
//     package meaning): a reader's "threads clobber each other's
//     variables" lies near the author's passage on races, which shares
//     few of those words.
//
// An archive too small for a model (model.go) shows the posts whose cover
// alone is minAnswerCover or more.
//
// The numbers were set on testdata/asked-tune.txt, one half of a set of
// questions written as readers write them; TestAnswersForQuestions reports
// the other half, asked-held.txt (-v prints each candidate's score, its
// nearness and its cover). On the tuned half, the right answer was shown
// for 27 of 42 questions and nothing for 22 of 23 that the archive does
// not answer; by the cover alone (minAnswerCover), 23 and 19; with the
// cover of one passage of 150 words and the first three posts Related
// found, 12 and 20.
const (
	minAnswerCover   = 0.35
	minAnswerScore   = 0.95
	nearCover        = 1.0
	answerCandidates = 40
	coverSaturation  = 2.0
	coverLength      = 0.75
	titleTimes       = 3
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
		if c.answers() && len(out) < n {
			out = append(out, c.hit)
		}
	}
	return out, nil
}

// covered is a post Related found for a question, how much of the
// question it covers (0 to 1), and how near in meaning its nearest
// passage is to the question (-1 to 1; 0 with no model of meaning).
type covered struct {
	hit   Hit
	cover float64
	near  float64
	model bool // whether the archive had a model of meaning
}

// score is how well the post answers the question: its cover, with the
// model of meaning its nearness beside.
func (c covered) score() float64 {
	if !c.model {
		return c.cover
	}
	return c.near + nearCover*c.cover
}

// answers reports whether the post answers the question well enough to
// be shown.
func (c covered) answers() bool {
	if !c.model {
		return c.cover >= minAnswerCover
	}
	return c.score() >= minAnswerScore
}

// covers weighs the posts Related finds for question, the one answering
// it best first.
func (x *Index) covers(ctx context.Context, question string) ([]covered, error) {
	hits, err := x.Related(ctx, question, answerCandidates)
	if err != nil || len(hits) == 0 {
		return nil, err
	}
	analyzer := x.analyzer()
	stem := stemmer(x.lang)
	model := x.model()
	words := strings.Fields(question)
	asked := map[string]bool{}
	var askedStems []string
	for _, t := range analyzer.Analyze([]byte(strings.Join(words[:min(len(words), related.MaxWords)], " "))) {
		asked[string(t.Term)] = true
		askedStems = append(askedStems, stem(string(t.Term)))
	}
	weight, all, err := x.rarity(asked)
	if err != nil {
		return nil, err
	}
	stems := map[string]float64{} // the question's words' stems, the weight of the rarest word of each
	for term, w := range weight {
		s := stem(term)
		stems[s] = max(stems[s], w)
	}
	for _, w := range stems {
		all += w
	}
	questionAt := model.Vector(askedStems)
	// How many times each post has each stem, its length in words, and
	// how near its nearest passage is to the question.
	times := make([]map[string]float64, len(hits))
	length := make([]float64, len(hits))
	near := make([]float64, len(hits))
	parallel.For(len(hits), func(i int) {
		times[i] = map[string]float64{}
		var title, body []string
		for _, t := range analyzer.Analyze([]byte(hits[i].Title)) {
			s := stem(string(t.Term))
			title = append(title, s)
			if stems[s] > 0 {
				times[i][s] += titleTimes
			}
		}
		for _, t := range analyzer.Analyze([]byte(x.text(hits[i]))) {
			s := stem(string(t.Term))
			body = append(body, s)
			if stems[s] > 0 {
				times[i][s]++
			}
		}
		length[i] = float64(len(body))
		if questionAt != nil {
			near[i] = -1
			for _, p := range meaning.Passages(title, body) {
				near[i] = max(near[i], meaning.Near(questionAt, model.Vector(p)))
			}
		}
	})
	var mean float64
	for _, l := range length {
		mean += l / float64(len(hits))
	}
	out := make([]covered, len(hits))
	for i, h := range hits {
		out[i] = covered{hit: h, near: near[i], model: model != nil}
		if all == 0 {
			continue
		}
		norm := coverSaturation * (1 - coverLength + coverLength*length[i]/max(mean, 1))
		for s, w := range stems {
			if tf := times[i][s]; tf > 0 {
				out[i].cover += w * tf / (tf + norm)
			}
		}
		out[i].cover /= all
	}
	slices.SortStableFunc(out, func(a, b covered) int { return cmp.Compare(b.score(), a.score()) })
	return out, nil
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
