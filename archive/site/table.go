package site

import (
	"cmp"
	"strings"
	"time"

	"mailbag/archive"
)

// postTable is the site's list of posts, kept without pointers: the text
// of every post (title, slug, path, tags, aliases) in one string, and for
// each post a row of numbers saying where its parts are. Go's collector
// marks a pointer-free block without looking inside it, where the same
// list as posts was 25 MB of pointers at 100,000 posts, followed at every
// collection (the post pages' slowest were the ones a collection ran
// beside).
type postTable struct {
	text string
	rows []postRow
	strs []span         // each post's tags, then its aliases
	loc  *time.Location // the newsletter's time zone, the dates' (Posts.Location)
}

// span is a part of a postTable's text (of 4 GB at most: titles and
// paths of some twenty million posts).
type span struct{ off, len uint32 }

// postRow is one post in a postTable.
type postRow struct {
	sec               int64 // the date: seconds since 1970,
	nsec              int32 // and nanoseconds
	title, slug, path span
	strs              uint32 // where the post's tags and aliases start in strs
	tags, aliases     uint32 // how many of each
}

// newPostTable copies list into a table, in its order; its dates are given
// back in loc, the zone Posts reads them in.
func newPostTable(list []*archive.Post, loc *time.Location) postTable {
	size, strs := 0, 0
	for _, p := range list {
		size += len(p.Title) + len(p.Slug) + len(p.Path)
		for _, s := range p.Tags {
			size += len(s)
		}
		for _, s := range p.Aliases {
			size += len(s)
		}
		strs += len(p.Tags) + len(p.Aliases)
	}
	var b strings.Builder
	b.Grow(size)
	add := func(s string) span {
		sp := span{off: uint32(b.Len()), len: uint32(len(s))}
		b.WriteString(s)
		return sp
	}
	t := postTable{rows: make([]postRow, len(list)), strs: make([]span, 0, strs), loc: cmp.Or(loc, time.UTC)}
	for i, p := range list {
		t.rows[i] = postRow{sec: p.Date.Unix(), nsec: int32(p.Date.Nanosecond()),
			title: add(p.Title), slug: add(p.Slug), path: add(p.Path),
			strs: uint32(len(t.strs)), tags: uint32(len(p.Tags)), aliases: uint32(len(p.Aliases))}
		for _, s := range p.Tags {
			t.strs = append(t.strs, add(s))
		}
		for _, s := range p.Aliases {
			t.strs = append(t.strs, add(s))
		}
	}
	t.text = b.String()
	return t
}

func (t *postTable) len() int { return len(t.rows) }

func (t *postTable) str(s span) string { return t.text[s.off : s.off+s.len] }

// date returns post i's date.
func (t *postTable) date(i int) time.Time {
	r := &t.rows[i]
	return time.Unix(r.sec, int64(r.nsec)).In(t.loc)
}

// slug returns post i's slug.
func (t *postTable) slug(i int) string { return t.str(t.rows[i].slug) }

// at returns post i as the site shows it: its title, date, slug, tags, aliases
// and file, without its questions or its body.
func (t *postTable) at(i int) *archive.Post {
	r := &t.rows[i]
	p := &archive.Post{Title: t.str(r.title), Date: t.date(i), Slug: t.str(r.slug), Path: t.str(r.path)}
	for _, s := range t.tags(i) {
		p.Tags = append(p.Tags, t.str(s))
	}
	for _, s := range t.aliases(i) {
		p.Aliases = append(p.Aliases, t.str(s))
	}
	return p
}

// tags returns post i's tags, as spans of text.
func (t *postTable) tags(i int) []span {
	r := &t.rows[i]
	return t.strs[r.strs : r.strs+r.tags]
}

// aliases returns post i's aliases, as spans of text.
func (t *postTable) aliases(i int) []span {
	r := &t.rows[i]
	return t.strs[r.strs+r.tags : r.strs+r.tags+r.aliases]
}
