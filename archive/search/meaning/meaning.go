// Package meaning learns from an archive's own posts which of its words
// go together (latent semantic indexing), so that a question written in a
// reader's words comes near the post that answers it in the author's:
// "my threads clobber each other's variables" near the post on races. A
// Model places each word of the archive in a space of Dims directions,
// the ones along which the archive's passages differ most; a text is
// placed where its words are, and two texts are near when they point the
// same way. It needs no data but the posts: nothing is downloaded.
package meaning

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"

	"mailbag/internal/parallel"
)

const (
	// Dims is how many directions a Model keeps.
	Dims = 100
	// PassageTerms is how many terms of a body make one passage, the
	// unit the model learns from and texts are compared by.
	PassageTerms = 150
	// minPassages is how many passages an archive needs for a Model:
	// fewer say too little of which words go together.
	minPassages = 4 * Dims
	// maxPassages bounds the passages a Model learns from, spread over
	// those given, and maxTerms the words it knows: the ones in most
	// passages.
	maxPassages = 6_000
	maxTerms    = 30_000
	// oversample and powerSteps are the randomized SVD's: the directions
	// sought beyond Dims, and the times the passages are multiplied
	// through again, which sharpen the directions found.
	oversample = 20
	powerSteps = 2
)

// Model is where an archive's words lie in its space of meaning. The
// zero of it is not used: Build makes one, Unmarshal reads one back.
type Model struct {
	// From is how many posts the archive had when the model was built.
	From  int
	terms map[string]int32 // a word's row
	idf   []float32        // how rare each word is among the passages: ln(passages/with it)
	vecs  []float32        // Dims coordinates a word, row after row
}

// Passages splits a post into the passages a Model compares: its body's
// terms PassageTerms at a time, each with its title's terms before them;
// a post with no body is one passage of its title.
func Passages(title, body []string) [][]string {
	var out [][]string
	for at := 0; at == 0 || at < len(body); at += PassageTerms {
		p := make([]string, 0, len(title)+PassageTerms)
		p = append(append(p, title...), body[at:min(at+PassageTerms, len(body))]...)
		out = append(out, p)
	}
	return out
}

// Build learns a Model from an archive's passages (Passages of its posts,
// the terms of each as the index's analyzer and stemmer make them); from
// is how many posts the archive has. It returns nil when there are too
// few passages to learn from.
func Build(passages [][]string, from int) *Model {
	if len(passages) < minPassages {
		return nil
	}
	if len(passages) > maxPassages { // every so many, the same each time
		few := make([][]string, maxPassages)
		for i := range few {
			few[i] = passages[i*len(passages)/maxPassages]
		}
		passages = few
	}
	// The words in two passages or more, and in no more than half.
	df := map[string]int{}
	for _, p := range passages {
		for _, t := range distinct(p) {
			df[t]++
		}
	}
	var words []string
	for t, n := range df {
		if n >= 2 && n <= len(passages)/2 {
			words = append(words, t)
		}
	}
	slices.SortFunc(words, func(a, b string) int { return cmp.Or(cmp.Compare(df[b], df[a]), cmp.Compare(a, b)) })
	words = words[:min(len(words), maxTerms)]
	m := &Model{From: from, terms: make(map[string]int32, len(words)), idf: make([]float32, len(words))}
	for i, t := range words {
		m.terms[t] = int32(i)
		m.idf[i] = float32(math.Log(float64(len(passages)) / float64(df[t])))
	}
	cols := make([]sparse, 0, len(passages))
	for _, p := range passages {
		if c := m.weigh(p); len(c.rows) > 0 {
			cols = append(cols, c)
		}
	}
	if len(cols) < minPassages {
		return nil
	}
	u := leftSingular(cols, len(words), Dims)
	m.vecs = make([]float32, len(words)*Dims)
	for i := range len(words) {
		for d := range Dims {
			m.vecs[i*Dims+d] = float32(u.at(i, d))
		}
	}
	return m
}

// distinct returns the distinct terms of p.
func distinct(p []string) []string {
	s := slices.Clone(p)
	slices.Sort(s)
	return slices.Compact(s)
}

// sparse is a text as the model weighs its words: the rows of the words
// it knows, and each one's weight, 1+ln(times)·idf, of length one.
type sparse struct {
	rows []int32
	vals []float64
}

// weigh returns the weights of a text's words that the model knows.
func (m *Model) weigh(terms []string) sparse {
	rows := make([]int32, 0, len(terms))
	for _, t := range terms {
		if r, ok := m.terms[t]; ok {
			rows = append(rows, r)
		}
	}
	slices.Sort(rows) // each word's times in a run; the same sums in the same order
	var s sparse
	var norm float64
	for i := 0; i < len(rows); {
		j := i + 1
		for j < len(rows) && rows[j] == rows[i] {
			j++
		}
		w := (1 + math.Log(float64(j-i))) * float64(m.idf[rows[i]])
		s.rows = append(s.rows, rows[i])
		s.vals = append(s.vals, w)
		norm += w * w
		i = j
	}
	norm = math.Sqrt(norm)
	for i := range s.vals {
		s.vals[i] /= norm
	}
	return s
}

// Vector places a text, its terms as for Build, in the model's space: a
// vector of length one, or nil when the model knows none of its words.
func (m *Model) Vector(terms []string) []float32 {
	if m == nil {
		return nil
	}
	s := m.weigh(terms)
	if len(s.rows) == 0 {
		return nil
	}
	v := make([]float64, Dims)
	for i, r := range s.rows {
		row := m.vecs[int(r)*Dims : int(r+1)*Dims]
		for d, x := range row {
			v[d] += s.vals[i] * float64(x)
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	if norm == 0 {
		return nil
	}
	norm = math.Sqrt(norm)
	out := make([]float32, Dims)
	for d, x := range v {
		out[d] = float32(x / norm)
	}
	return out
}

// Near returns how near two vectors of Vector point: their cosine, from
// -1 to 1, and 0 where either is nil.
func Near(a, b []float32) float64 {
	if a == nil || b == nil {
		return 0
	}
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// Len returns how many words the model knows.
func (m *Model) Len() int {
	if m == nil {
		return 0
	}
	return len(m.idf)
}

// leftSingular returns the k left singular vectors of the largest
// singular values of the matrix whose columns are cols (rows rows), as
// the columns of a rows×k matrix, by Halko, Martinsson and Tropp's
// randomized range finder: the range of the matrix times random vectors,
// sharpened by powerSteps products with the matrix and its transpose,
// then the exact decomposition within that range.
func leftSingular(cols []sparse, rows, k int) *dense {
	l := min(k+oversample, len(cols), rows)
	a := matrix{cols: cols, rows: transpose(cols, rows)}
	rng := rand.New(rand.NewPCG(1, 2)) // the same archive gives the same model
	omega := newDense(len(cols), l)
	for i := range omega.v {
		omega.v[i] = rng.NormFloat64()
	}
	q := orthonormal(a.times(omega), 1)
	for range powerSteps {
		q = orthonormal(a.times(orthonormal(a.timesT(q), 1)), 1)
	}
	q = orthonormal(q, 1)
	// B = Qᵀ A is l×n; B Bᵀ = Zᵀ Z with Z = Aᵀ Q, whose eigenvectors W
	// give the left singular vectors Q W.
	vals, vecs := eigenSym(gram(a.timesT(q)))
	order := make([]int, len(vals))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(vals[b], vals[a]) })
	w := newDense(l, k)
	for c := range min(k, l) {
		for j := range l {
			w.set(j, c, vecs.at(j, order[c]))
		}
	}
	return mul(q, w)
}

// matrix is a sparse matrix held both ways: its columns, and its rows
// (each row's columns and values, as sparse has a column's rows).
type matrix struct {
	cols, rows []sparse
}

// transpose returns the rows of the matrix whose columns are cols.
func transpose(cols []sparse, rows int) []sparse {
	out := make([]sparse, rows)
	for j, c := range cols {
		for n, r := range c.rows {
			out[r].rows = append(out[r].rows, int32(j))
			out[r].vals = append(out[r].vals, c.vals[n])
		}
	}
	return out
}

// times returns A·x, where x has a row for each of A's columns.
func (a matrix) times(x *dense) *dense { return product(a.rows, x) }

// timesT returns Aᵀ·y, where y has a row for each of A's rows.
func (a matrix) timesT(y *dense) *dense { return product(a.cols, y) }

// product returns the matrix whose row i is the sum of x's rows that
// lines[i] names, each times its value.
func product(lines []sparse, x *dense) *dense {
	y := newDense(len(lines), x.c)
	chunks(len(lines), func(from, to int) {
		for i := from; i < to; i++ {
			yr := y.row(i)
			for n, j := range lines[i].rows {
				v := lines[i].vals[n]
				for d, xv := range x.row(int(j)) {
					yr[d] += v * xv
				}
			}
		}
	})
	return y
}

// chunks calls do on ranges of [0, n), on every core.
func chunks(n int, do func(from, to int)) {
	const size = 256
	parallel.For((n+size-1)/size, func(c int) { do(c*size, min((c+1)*size, n)) })
}

// dense is a matrix of float64, row after row.
type dense struct {
	r, c int
	v    []float64
}

func newDense(r, c int) *dense           { return &dense{r, c, make([]float64, r*c)} }
func (m *dense) at(i, j int) float64     { return m.v[i*m.c+j] }
func (m *dense) set(i, j int, x float64) { m.v[i*m.c+j] = x }
func (m *dense) row(i int) []float64     { return m.v[i*m.c : (i+1)*m.c] }

// mul returns y·s, for a small s.
func mul(y, s *dense) *dense {
	out := newDense(y.r, s.c)
	chunks(y.r, func(from, to int) {
		for i := from; i < to; i++ {
			or := out.row(i)
			for a, ya := range y.row(i) {
				if ya == 0 {
					continue
				}
				for b, sv := range s.row(a) {
					or[b] += ya * sv
				}
			}
		}
	})
	return out
}

// gram returns yᵀ·y. Each chunk of rows is summed apart, and the chunks
// in order, so that the sums are the same whatever the cores do.
func gram(y *dense) *dense {
	const size = 256
	parts := make([]*dense, (y.r+size-1)/size)
	parallel.For(len(parts), func(c int) {
		part := newDense(y.c, y.c)
		for i := c * size; i < min((c+1)*size, y.r); i++ {
			yr := y.row(i)
			for a, ya := range yr {
				pr := part.row(a)
				for b := a; b < len(yr); b++ {
					pr[b] += ya * yr[b]
				}
			}
		}
		parts[c] = part
	})
	g := newDense(y.c, y.c)
	for _, part := range parts {
		for i, v := range part.v {
			g.v[i] += v
		}
	}
	for a := range g.r {
		for b := a + 1; b < g.c; b++ {
			g.set(b, a, g.at(a, b))
		}
	}
	return g
}

// orthonormal returns columns of length one, at right angles to each
// other, spanning what y's columns span: y·V·D^(-1/2), where yᵀy = V D Vᵀ;
// done twice, as one pass leaves rounding where y's columns nearly
// align. A direction y hardly spans is left out (a column of zeros).
func orthonormal(y *dense, passes int) *dense {
	for range passes {
		vals, vecs := eigenSym(gram(y))
		top := slices.Max(vals)
		scaled := newDense(vecs.r, vecs.c)
		for j, lambda := range vals {
			if lambda <= top*1e-12 || lambda <= 0 {
				continue
			}
			s := 1 / math.Sqrt(lambda)
			for i := range vecs.r {
				scaled.set(i, j, vecs.at(i, j)*s)
			}
		}
		y = mul(y, scaled)
	}
	return y
}

// eigenSym returns the eigenvalues of the symmetric matrix a and its
// eigenvectors, as the columns of the second, by Jacobi's rotations:
// each sweep turns every pair of rows and columns until what lies off
// the diagonal is nothing beside what lies on it.
func eigenSym(a *dense) ([]float64, *dense) {
	n := a.r
	m := newDense(n, n)
	copy(m.v, a.v)
	v := newDense(n, n)
	for i := range n {
		v.set(i, i, 1)
	}
	for range 50 {
		var off, on float64
		for p := range n {
			on += m.at(p, p) * m.at(p, p)
			for q := p + 1; q < n; q++ {
				off += m.at(p, q) * m.at(p, q)
			}
		}
		if off <= 1e-22*on || off == 0 {
			break
		}
		for p := range n {
			for q := p + 1; q < n; q++ {
				apq := m.at(p, q)
				if apq == 0 {
					continue
				}
				theta := (m.at(q, q) - m.at(p, p)) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := range n { // columns p and q
					mkp, mkq := m.at(k, p), m.at(k, q)
					m.set(k, p, c*mkp-s*mkq)
					m.set(k, q, s*mkp+c*mkq)
				}
				for k := range n { // rows p and q
					mpk, mqk := m.at(p, k), m.at(q, k)
					m.set(p, k, c*mpk-s*mqk)
					m.set(q, k, s*mpk+c*mqk)
				}
				for k := range n {
					vkp, vkq := v.at(k, p), v.at(k, q)
					v.set(k, p, c*vkp-s*vkq)
					v.set(k, q, s*vkp+c*vkq)
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range n {
		vals[i] = m.at(i, i)
	}
	return vals, v
}
