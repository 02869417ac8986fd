package search

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	porter "github.com/blevesearch/go-porterstemmer"

	"mailbag/archive"
	"mailbag/archive/search/meaning"
	"mailbag/internal/atomicfile"
)

// modelName is the file of the archive's model of meaning in an index's
// folder (meaning.Model), which Answers weighs past answers with; there is
// none while the archive is too small to learn one from.
const modelName = "meaning"

// modelMinPosts is how many posts an index holds at least before Sync
// tries to learn a model of meaning where it has none.
const modelMinPosts = 50

// stemmer returns how the words of a question and of the posts are made
// one for Answers and the model of meaning: in English, Porter's stems of
// the index's terms, so that "tests", "testing" and "tested" are one; in
// another language the terms as they are, its stemmer's already.
func stemmer(lang string) func(string) string {
	if lang == "en" {
		return porter.StemString
	}
	return func(term string) string { return term }
}

// writeModel writes the model of meaning into an index's folder, in place
// of the one there; a nil model removes it.
func writeModel(dir string, m *meaning.Model) error {
	path := filepath.Join(dir, modelName)
	if m == nil {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the model of meaning: %w", err)
		}
		return nil
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	tmp := path + ".new"
	os.Remove(tmp)
	if err := atomicfile.Create(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write the model of meaning: %w", err)
	}
	return nil
}

// model returns the index's model of meaning, read from its file again
// when the file has changed (another process may have written it); nil
// where there is none, or it cannot be read (Answers then weighs by words
// alone).
func (x *Index) model() *meaning.Model {
	x.meaning.Lock()
	defer x.meaning.Unlock()
	path := filepath.Join(x.dir, modelName)
	info, err := os.Stat(path)
	if err != nil {
		x.meaning.m, x.meaning.file = nil, nil
		return nil
	}
	if x.meaning.file != nil && os.SameFile(info, x.meaning.file) && info.ModTime().Equal(x.meaning.file.ModTime()) && info.Size() == x.meaning.file.Size() {
		return x.meaning.m
	}
	x.meaning.m, x.meaning.file = nil, info
	if data, err := os.ReadFile(path); err == nil {
		x.meaning.m, _ = meaning.Unmarshal(data)
	}
	return x.meaning.m
}

// refreshModel learns the archive's model of meaning again from the posts
// folder where the index has none and holds modelMinPosts posts, or holds
// twice the posts its model was learnt from; but where it last tried and
// made none (too few passages, or an error), not before it holds twice
// the posts it held then. It runs with x.mu held, at every Sync: most
// often it only counts the posts.
func (x *Index) refreshModel(posts *archive.Posts) error {
	n, err := x.Len()
	if err != nil || n < modelMinPosts {
		return err
	}
	x.meaning.Lock()
	since := x.meaning.tried
	x.meaning.Unlock()
	if m := x.model(); m != nil {
		since = max(since, m.From)
	}
	if since > 0 && n < 2*since {
		return nil
	}
	made := false
	defer func() { // no model made: not again before the archive doubles
		x.meaning.Lock()
		x.meaning.tried = n
		if made {
			x.meaning.tried = 0
		}
		x.meaning.Unlock()
	}()
	list, _, err := posts.Headers()
	if err != nil {
		return fmt.Errorf("learn the archive's model of meaning: %w", err)
	}
	s, err := readSample(list, x.loc, x.lang)
	if err != nil {
		return fmt.Errorf("learn the archive's model of meaning: %w", err)
	}
	if s.model == nil {
		return nil
	}
	if err := writeModel(x.dir, s.model); err != nil {
		return fmt.Errorf("learn the archive's model of meaning: %w", err)
	}
	made = true
	return nil
}
