package archive

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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

// A rebuilt index is on the disk, not in the kernel's cache: a search
// maps in only the pages it reads (cache.go says why).
func TestRebuiltIndexLeavesTheCache(t *testing.T) {
	home := t.TempDir()
	src := &Posts{Dir: filepath.Join(home, "posts")}
	if err := src.Import("../testdata/corpora/posts/go-blog", func(ImportResult) {}); err != nil {
		t.Fatal(err)
	}
	posts, _, err := src.List()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(home, "index")
	if err := buildAside(dir, posts, nil); err != nil {
		t.Fatal(err)
	}
	if resident, all := residentPages(t, dir); all < 100 || resident > all/10 {
		t.Errorf("after a rebuild %d of the index's %d pages are cached, want at most a tenth", resident, all)
	}
}

// After an update, the files new in the index's folder leave the cache;
// those that were there before stay as they are.
func TestUpdateDropsTheCacheOfNewFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		f.Write(make([]byte, 1<<20))
		if err := errors.Join(f.Sync(), f.Close()); err != nil {
			t.Fatal(err)
		}
	}
	write("old.zap")
	d := newCacheDropper(dir)
	defer d.close()
	write("new.zap")
	if resident, _ := residentPages(t, dir); resident < 400 {
		// A file system that does not cache what is written (some
		// network ones) leaves nothing to drop; CI's disk caches.
		if os.Getenv("CI") != "" {
			t.Fatalf("the files just written are not in the cache (%d pages), and CI is set", resident)
		}
		t.Skipf("the files just written are not in the cache (%d pages): nothing to see", resident)
	}
	d.dropSoon()
	if resident, all := residentPages(t, dir); resident < all/2-10 || resident > all/2 {
		t.Errorf("after an update %d of %d pages are cached, want the old file's %d", resident, all, all/2)
	}
}
