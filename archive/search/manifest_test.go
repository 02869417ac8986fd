package search

import (
	"fmt"
	"maps"
	"strings"
	"testing"
)

// The manifest reads back as it was written, names and slugs of any bytes
// included, and much smaller than the JSON it replaced.
func TestManifestRoundTrip(t *testing.T) {
	m := map[string]indexedFile{}
	for i := range 10_000 {
		name := fmt.Sprintf("2019-%02d-%02d-post-%05d.md", i%12+1, i%28+1, i)
		m[name] = indexedFile{Slug: fmt.Sprintf("post-%05d", i), Size: int64(1000 + i*7), ModTime: 1_560_000_000_000_000_000 + int64(i)*999_999_937}
	}
	m["2020-01-01-\xff\x00é.md"] = indexedFile{Slug: "", Size: 0, ModTime: -1}
	m[strings.Repeat("n", maxManifestString)] = indexedFile{Slug: strings.Repeat("s", maxManifestString), Size: 1 << 62}
	raw, err := encodeManifest(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) > 40*len(m) {
		t.Errorf("the manifest of %d files takes %d bytes, more than 40 a file", len(m), len(raw))
	}
	got, err := decodeManifest(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got, m) {
		t.Fatalf("read back %d entries, not the %d written (or not the same)", len(got), len(m))
	}
	empty, err := encodeManifest(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeManifest(empty); err != nil || len(got) != 0 {
		t.Fatalf("empty manifest read back as %v, %v", got, err)
	}
}

// A manifest cut short or damaged is an error, never a partial manifest
// taken for the whole (the index is then rebuilt).
func TestManifestDamaged(t *testing.T) {
	raw, err := encodeManifest(map[string]indexedFile{"2020-01-01-a.md": {Slug: "a", Size: 10, ModTime: 20}, "2020-01-02-b.md": {Slug: "b", Size: 30, ModTime: 40}})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{raw[:len(raw)/2], raw[:len(raw)-1], []byte("{\"a\":1}"), append([]byte{0xff}, raw...)} {
		if m, err := decodeManifest(bad); err == nil {
			t.Errorf("damaged manifest %q read as %v, without an error", bad, m)
		}
	}
}

// FuzzManifest: any bytes decode to a manifest or an error, never a panic
// or an allocation past the bound; what decodes encodes back to the same.
func FuzzManifest(f *testing.F) {
	raw, _ := encodeManifest(map[string]indexedFile{"2020-01-01-a.md": {Slug: "a", Size: 10, ModTime: 20}})
	f.Add(raw)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeManifest(data)
		if err != nil {
			return
		}
		again, err := encodeManifest(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := decodeManifest(again)
		if err != nil || !maps.Equal(back, m) {
			t.Fatalf("re-encoded manifest read back as %v, %v; want %v", back, err, m)
		}
	})
}
