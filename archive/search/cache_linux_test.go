package search

import (
	"errors"
	"fmt"
	"io/fs"
	"mailbag/archive"
	"mailbag/archive/importer"
	"mailbag/internal/pagecache"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// residentPages counts the pages of the files in dir that search maps
// (all but the texts file) that are in the kernel's cache (mincore(2) of
// each file mapped), and all their pages.
func residentPages(t *testing.T, dir string) (resident, all int) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() || e.Name() == textsName { // search reads the texts, it does not map them
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fi, _ := f.Stat()
		if fi.Size() == 0 {
			return nil
		}
		m, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Munmap(m)
		vec := make([]byte, (len(m)+os.Getpagesize()-1)/os.Getpagesize())
		if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
			t.Fatal(errno)
		}
		for _, v := range vec {
			resident += int(v & 1)
		}
		all += len(vec)
		return nil
	})
	return resident, all
}

// touched keeps what mappedAfterTouch reads, so that the reads are made.
var touched byte

// mappedAfterTouch maps the file at path, reads a byte of every stride
// bytes of it, and says how much of the mapping is then in the process's
// memory (its Rss in /proc/self/smaps), and the file's size, in KB.
func mappedAfterTouch(t *testing.T, path string, stride int) (rss, size int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	m, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	for i := 0; i < len(m); i += stride {
		touched += m[i]
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(&m[0])))
	lines := strings.Split(string(smaps), "\n")
	for i, line := range lines {
		if !strings.HasPrefix(line, start) {
			continue
		}
		for _, l := range lines[i+1:] {
			if n, ok := strings.CutPrefix(l, "Rss:"); ok {
				rss, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(n), "kB")))
				return rss, int(fi.Size() >> 10)
			}
		}
	}
	t.Fatalf("no mapping at %s in /proc/self/smaps", start)
	return 0, 0
}

// A rebuilt index is in the kernel's cache, read back after it was
// written: a search reads no disk (internal/pagecache says why).
func TestRebuiltIndexIsCached(t *testing.T) {
	home := t.TempDir()
	src := &archive.Posts{Dir: filepath.Join(home, "posts")}
	if err := importer.Import(src, "../../testdata/corpora/posts/go-blog", importer.Options{}, func(importer.Result) {}); err != nil {
		t.Fatal(err)
	}
	posts, _, err := src.List()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, "index")
	if err := buildAside(dir, posts, nil, "en"); err != nil {
		t.Fatal(err)
	}
	if resident, all := residentPages(t, dir); all < 100 || resident < all*9/10 {
		t.Errorf("after a rebuild %d of the index's %d pages are cached, want nine tenths at least", resident, all)
	}
}

// After an update, the files new in the index's folder are cached anew,
// page by page: a process reading a few bytes of one maps in little of it,
// where the file as written maps in whole (on a file system that caches
// what is written in large blocks, as ext4 does on Linux 6.18). The files
// that were there before stay as they are.
func TestUpdateRecachesNewFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) string { return writeSynced(t, filepath.Join(dir, name)) }
	write("old.zap")
	d := pagecache.New(dir, textsName)
	defer d.Close()
	fresh := write("new.zap")
	if resident, _ := residentPages(t, dir); resident < 2000 {
		// A file system that does not cache what is written (some
		// network ones) leaves nothing to see; CI's disk caches.
		if os.Getenv("CI") != "" {
			t.Fatalf("the files just written are not in the cache (%d pages), and CI is set", resident)
		}
		t.Skipf("the files just written are not in the cache (%d pages): nothing to see", resident)
	}
	d.Soon()
	if resident, all := residentPages(t, dir); resident < all*9/10 {
		t.Errorf("after an update %d of %d pages are cached, want both files'", resident, all)
	}
	if rss, size := mappedAfterTouch(t, fresh, 1<<20); rss > size/4 {
		t.Errorf("reading 4 bytes of the new file, 1 MB apart, maps %d of its %d KB; want a quarter at most", rss, size)
	}
}

// A file the index wrote and mapped (as bleve maps each segment it opens)
// keeps the pages touched in the blocks they were written in, recached or
// not; recached as the index closes, with nothing mapped, it is in pages
// of its own: a process reading a few bytes of it maps in little.
func TestCloseRecachesWhatTheIndexWrote(t *testing.T) {
	dir := t.TempDir()
	d := pagecache.New(dir, textsName)
	path := writeSynced(t, filepath.Join(dir, "merged.zap"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := unix.Mmap(int(f.Fd()), 0, 4<<20, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(m); i += 64 << 10 { // bleve opening the segment
		touched += m[i]
	}
	d.New() // while it is mapped
	unix.Munmap(m)
	f.Close()
	before, size := mappedAfterTouch(t, path, 1<<20)
	d.Close()
	d.Written()
	after, _ := mappedAfterTouch(t, path, 1<<20)
	if after > size/4 {
		t.Errorf("reading 4 bytes of a file recached at close, 1 MB apart, maps %d of its %d KB (%d before); want a quarter at most", after, size, before)
	}
	t.Logf("mapped %d KB of %d before the recache at close, %d after", before, size, after)
}

// writeSynced writes 4 MB to a new file at path, on the disk when it
// returns, and returns path.
func writeSynced(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 4<<20))
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		t.Fatal(err)
	}
	return path
}
