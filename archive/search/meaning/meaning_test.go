package meaning

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestEigenSym: each eigenvector v of a symmetric matrix a and its value
// λ have a·v = λ·v, and the vectors are of length one at right angles.
func TestEigenSym(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 30
	a := newDense(n, n)
	for i := range n {
		for j := i; j < n; j++ {
			x := rng.NormFloat64()
			a.set(i, j, x)
			a.set(j, i, x)
		}
	}
	vals, vecs := eigenSym(a)
	for e := range n {
		for i := range n {
			var av float64
			for j := range n {
				av += a.at(i, j) * vecs.at(j, e)
			}
			if d := av - vals[e]*vecs.at(i, e); math.Abs(d) > 1e-9 {
				t.Fatalf("eigenvector %d: (a·v)[%d] is %g off λ·v", e, i, d)
			}
		}
		for f := range n {
			var dot float64
			for i := range n {
				dot += vecs.at(i, e) * vecs.at(i, f)
			}
			want := 0.0
			if e == f {
				want = 1
			}
			if math.Abs(dot-want) > 1e-9 {
				t.Fatalf("eigenvectors %d and %d: dot %g", e, f, dot)
			}
		}
	}
}

// TestLeftSingular: the randomized SVD finds the directions the exact
// one does (the eigenvectors of A·Aᵀ) where the singular values stand
// apart, and finds them at right angles.
func TestLeftSingular(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const rows, ncols, rank, k = 60, 500, 12, 8
	// A = Σ sᵢ xᵢ yᵢᵀ with s falling by half each time, and a little noise.
	a := newDense(rows, ncols)
	for r := range rank {
		s := math.Pow(0.5, float64(r)) * 100
		x, y := make([]float64, rows), make([]float64, ncols)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		for j := range y {
			y[j] = rng.NormFloat64()
		}
		for i := range rows {
			for j := range ncols {
				a.v[i*ncols+j] += s * x[i] * y[j] / math.Sqrt(rows*ncols)
			}
		}
	}
	cols := make([]sparse, ncols)
	for j := range ncols {
		for i := range rows {
			cols[j].rows = append(cols[j].rows, int32(i))
			cols[j].vals = append(cols[j].vals, a.at(i, j)+1e-6*rng.NormFloat64())
		}
	}
	u := leftSingular(cols, rows, k)
	aat := newDense(rows, rows)
	for i := range rows {
		for j := range rows {
			var s float64
			for c := range ncols {
				s += cols[c].vals[i] * cols[c].vals[j]
			}
			aat.set(i, j, s)
		}
	}
	vals, vecs := eigenSym(aat)
	order := make([]int, rows)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return int(math.Copysign(1, vals[y]-vals[x])) })
	for c := range k {
		var dot, norm float64
		for i := range rows {
			dot += u.at(i, c) * vecs.at(i, order[c])
			norm += u.at(i, c) * u.at(i, c)
		}
		if math.Abs(math.Abs(dot)-1) > 1e-6 || math.Abs(norm-1) > 1e-9 {
			t.Errorf("direction %d: |u·v| = %g, |u|² = %g; want 1 and 1", c, math.Abs(dot), norm)
		}
	}
}

// topics makes passages of an archive about five things, each told in
// words of its own among words every passage has; a topic's first word
// is rare, in one passage of its topic in ten, as a reader's word may be
// in the archive.
func topics(rng *rand.Rand, n int) [][]string {
	var out [][]string
	for i := range n {
		out = append(out, passage(rng, i%5, i%50 < 5))
	}
	return out
}

// passage makes a passage about topic, with its rare first word or not.
func passage(rng *rand.Rand, topic int, rare bool) []string {
	var p []string
	for range 40 {
		p = append(p, fmt.Sprintf("common%d", rng.IntN(30)))
	}
	for range 60 {
		p = append(p, fmt.Sprintf("t%dw%d", topic, 1+rng.IntN(300)))
	}
	if rare {
		p = append(p, fmt.Sprintf("t%dw0", topic))
	}
	return p
}

// TestBuildPlacesWordsByTheirCompany: a topic's rare word is nearer a
// new passage of its topic that does not have it than one of another
// topic (by a twentieth at least; 0.07–0.24 as written); a text of words the model does not know has no place.
func TestBuildPlacesWordsByTheirCompany(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	m := Build(topics(rng, 1500), 300)
	if m == nil {
		t.Fatal("no model of 1,500 passages")
	}
	for topic := range 5 {
		q := m.Vector([]string{fmt.Sprintf("t%dw0", topic)})
		same := m.Vector(passage(rng, topic, false))
		other := m.Vector(passage(rng, (topic+1)%5, false))
		if Near(q, same) <= Near(q, other)+0.05 { // sharing no word, they would be 0 and 0
			t.Errorf("topic %d: the rare word is %.2f near a passage of its topic, %.2f near another's", topic, Near(q, same), Near(q, other))
		}
	}
	if v := m.Vector([]string{"unknown", "words"}); v != nil {
		t.Errorf("a text of unknown words is placed at %v", v[:3])
	}
	if Near(nil, m.Vector([]string{"t0w0"})) != 0 {
		t.Error("a text with no place is near something")
	}
}

// TestBuildNeedsPassages: too few passages make no model, and a nil
// model places nothing.
func TestBuildNeedsPassages(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := Build(topics(rng, minPassages-1), 10)
	if m != nil {
		t.Fatalf("a model of %d passages", minPassages-1)
	}
	if m.Vector([]string{"t0w0"}) != nil || m.Len() != 0 {
		t.Error("a nil model places a text")
	}
}

// TestBuildIsTheSameEachTime: the same passages make the same model,
// byte for byte.
func TestBuildIsTheSameEachTime(t *testing.T) {
	a, _ := Build(topics(rand.New(rand.NewPCG(2, 2)), 600), 200).MarshalBinary()
	b, _ := Build(topics(rand.New(rand.NewPCG(2, 2)), 600), 200).MarshalBinary()
	if !slices.Equal(a, b) {
		t.Error("the same passages made two models")
	}
}

// TestPassages: a body is cut every PassageTerms terms, each passage
// with the title's terms first; a post without a body is its title.
func TestPassages(t *testing.T) {
	body := make([]string, 2*PassageTerms+1)
	for i := range body {
		body[i] = fmt.Sprint(i)
	}
	ps := Passages([]string{"title"}, body)
	if len(ps) != 3 || len(ps[0]) != PassageTerms+1 || len(ps[2]) != 2 || ps[1][0] != "title" || ps[1][1] != fmt.Sprint(PassageTerms) {
		t.Errorf("passages of %d terms: %d, the last %q", len(body), len(ps), ps[len(ps)-1])
	}
	if ps := Passages([]string{"title"}, nil); len(ps) != 1 || !slices.Equal(ps[0], []string{"title"}) {
		t.Errorf("a post without a body: %q", ps)
	}
}

// TestModelFile: a model read back from its file places texts as it did;
// a file cut short, or of another layout, is refused.
func TestModelFile(t *testing.T) {
	m := Build(topics(rand.New(rand.NewPCG(3, 3)), 600), 200)
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	text := []string{"t1w0", "t1w3", "t1w9"}
	if back.From != 200 || back.Len() != m.Len() || !slices.Equal(back.Vector(text), m.Vector(text)) {
		t.Errorf("read back: from %d, %d words; placed at %v, was %v", back.From, back.Len(), back.Vector(text)[:3], m.Vector(text)[:3])
	}
	for _, bad := range [][]byte{nil, data[:len(data)-1], data[:len(magic)+2], append([]byte("mailbag meaning 9\n"), data[len(magic):]...)} {
		if _, err := Unmarshal(bad); err == nil {
			t.Errorf("a file of %d bytes read as a model", len(bad))
		}
	}
}

// FuzzUnmarshal: whatever a model's file holds, reading it returns an
// error or a model that places texts without panicking.
func FuzzUnmarshal(f *testing.F) {
	data, _ := Build(topics(rand.New(rand.NewPCG(4, 4)), 450), 150).MarshalBinary()
	f.Add(data)
	f.Add([]byte(magic + "\x01\x64\x01\x01a\x00\x00\x80\x3f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Unmarshal(data)
		if err != nil {
			return
		}
		v := m.Vector([]string{"a", "t0w0", "common1"})
		if v != nil && len(v) != Dims {
			t.Fatalf("a vector of %d directions", len(v))
		}
		Near(v, v)
	})
}
