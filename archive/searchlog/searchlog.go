// Package searchlog counts what readers search for on the archive site, and
// what they search for and do not find: the questions readers have that the
// archive does not answer yet. It owns the searches table of the state
// database.
//
// What is kept is a query's normalised text (lower case, spaces folded, an
// address, written out or disguised, or a long number blanked, at most 100
// characters), the day (UTC), how many times it was searched that day and
// how many hits it last had. No address, IP, cookie or anything else of
// the searcher is kept; rows older than 90 days are deleted. A flood cannot
// grow the table without bound, nor crowd out what readers keep asking: at
// most maxPerDay distinct queries are kept a day, a query searched again
// takes the place of one searched once, and one visitor (told apart in
// memory by a hash) counts perVisitor times a day at most.
package searchlog

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"hash/maphash"
	"html"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"mailbag/internal/sqlitedb"
)

//go:embed schema.sql
var schemaV1 string

var migrations = []string{schemaV1}

const (
	// Keep is how long searches are kept.
	Keep = 90 * 24 * time.Hour
	// maxQuery is how many characters of a query are kept.
	maxQuery = 100
	// maxInput is how many bytes of a query are read at all.
	maxInput = 1000
	// maxPerDay is how many distinct queries a day are kept; searches of
	// others that day are not counted.
	maxPerDay = 2000
	// maxPending is how many distinct queries wait in memory for the next
	// write; more before it are not counted.
	maxPending = 1000
	// perVisitor is how many searches of one visitor are counted a day.
	perVisitor = 30
	// maxVisitors and maxDropped bound what is kept in memory a day: the
	// visitors seen (as hashes) and the queries dropped for want of room.
	maxVisitors = 100_000
	maxDropped  = 50_000
	// writeAfter is how long a search waits in memory before it is
	// written, with the others that came meanwhile: one transaction for
	// many searches, none while nobody searches.
	writeAfter = 5 * time.Second
)

// Log is the record of the site's searches. Record is safe for concurrent
// use; the searches it is given reach the database within writeAfter, or
// at Close.
type Log struct {
	db  *sql.DB
	now func() time.Time
	log *slog.Logger

	seed maphash.Seed // hashes visitors and queries; never stored

	mu      sync.Mutex
	pending map[key]*tally // under mu
	timer   *time.Timer    // under mu: the write to come, nil when none is
	dropped int            // under mu: searches not counted since the last write
	// Under mu, for the day today: how many searches each visitor (a
	// hash of their address) had counted, and which queries (hashes)
	// were searched but found the day's room full. Memory only.
	today    string
	visitors map[uint64]int
	missed   map[uint64]bool
}

type key struct{ day, query string }

type tally struct{ count, hits int }

// Open returns the log kept in db, creating or upgrading its table. now is
// the clock (nil means time.Now); log says what failed to be written (nil
// means nowhere).
func Open(ctx context.Context, db *sql.DB, now func() time.Time, log *slog.Logger) (*Log, error) {
	if err := sqlitedb.Migrate(ctx, db, "searchlog", migrations); err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Log{db: db, now: now, log: log, pending: map[key]*tally{}, seed: maphash.MakeSeed()}, nil
}

// Record counts one search of query by visitor that found hits posts.
// visitor is who searched (the site gives the client's address): it is
// kept in memory only, as a hash, for the day, so that one visitor's
// searches count perVisitor times a day at most. A query that normalises
// to nothing is not counted.
func (l *Log) Record(visitor, query string, hits int) {
	q := normalise(query)
	if q == "" {
		return
	}
	k := key{l.now().UTC().Format(time.DateOnly), q}
	l.mu.Lock()
	defer l.mu.Unlock()
	if k.day != l.today {
		l.today, l.visitors, l.missed = k.day, map[uint64]int{}, map[uint64]bool{}
	}
	v := maphash.String(l.seed, visitor)
	if n, seen := l.visitors[v]; n >= perVisitor || !seen && len(l.visitors) >= maxVisitors {
		l.dropped++
		return
	}
	l.visitors[v]++
	t, ok := l.pending[k]
	if !ok {
		if len(l.pending) >= maxPending {
			l.dropped++
			return
		}
		t = &tally{}
		l.pending[k] = t
	}
	t.count++
	t.hits = hits
	if l.timer == nil {
		l.timer = time.AfterFunc(writeAfter, func() {
			if err := l.Flush(context.Background()); err != nil {
				l.log.Error("record the site's searches", "err", err)
			}
		})
	}
}

// Flush writes the searches recorded so far, and deletes those older than
// Keep, in one transaction.
func (l *Log) Flush(ctx context.Context) error {
	l.mu.Lock()
	pending, dropped := l.pending, l.dropped
	l.pending, l.dropped = map[key]*tally{}, 0
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	l.mu.Unlock()
	if dropped > 0 {
		l.log.Warn("searches not counted: too many different ones at once", "searches", dropped)
	}
	if len(pending) == 0 {
		return nil
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("searchlog: %w", err)
	}
	defer tx.Rollback()
	// A query already counted that day is counted again; a new one only
	// while the day has room.
	update, err := tx.PrepareContext(ctx, `UPDATE searches SET count = count + ?, hits = ? WHERE day = ? AND query = ?`)
	if err != nil {
		return fmt.Errorf("searchlog: %w", err)
	}
	defer update.Close()
	room := map[string]int{} // day -> how many more queries it may keep
	for k, t := range pending {
		res, err := update.ExecContext(ctx, t.count, t.hits, k.day, k.query)
		if err != nil {
			return fmt.Errorf("searchlog: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			continue
		}
		left, ok := room[k.day]
		if !ok {
			var kept int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM searches WHERE day = ?`, k.day).Scan(&kept); err != nil {
				return fmt.Errorf("searchlog: %w", err)
			}
			left = maxPerDay - kept
		}
		count := t.count
		if left <= 0 {
			// The day is full: a query searched more than once (now, or
			// before while there was no room) takes the place of one
			// searched once; a query searched once waits to be searched
			// again.
			if l.missedBefore(k) {
				count++
			}
			if count < 2 {
				l.miss(k)
				continue
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM searches WHERE day = ? AND query = (SELECT query FROM searches WHERE day = ? AND count = 1 LIMIT 1)`, k.day, k.day)
			if err != nil {
				return fmt.Errorf("searchlog: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // every query of the day was searched more than once
			}
			left = 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO searches (day, query, count, hits) VALUES (?, ?, ?, ?)`, k.day, k.query, count, t.hits); err != nil {
			return fmt.Errorf("searchlog: %w", err)
		}
		room[k.day] = left - 1
	}
	oldest := l.now().UTC().Add(-Keep).Format(time.DateOnly)
	if _, err := tx.ExecContext(ctx, `DELETE FROM searches WHERE day < ?`, oldest); err != nil {
		return fmt.Errorf("searchlog: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("searchlog: %w", err)
	}
	return nil
}

// miss remembers that k was searched when its day had no room.
func (l *Log) miss(k key) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k.day == l.today && len(l.missed) < maxDropped {
		l.missed[maphash.String(l.seed, k.query)] = true
	}
}

// missedBefore reports whether k was searched before when its day had no
// room.
func (l *Log) missedBefore(k key) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return k.day == l.today && l.missed[maphash.String(l.seed, k.query)]
}

// percentDecode returns s with each %XX escape (two hex digits) read as
// the byte it stands for; a % that starts none is kept.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Close writes what is left.
func (l *Log) Close() error {
	return l.Flush(context.Background())
}

// Query is a search as the log reports it.
type Query struct {
	Text  string
	Count int       // times searched in the period
	Hits  int       // hits it had the last time
	Last  time.Time // the last day it was searched (UTC midnight)
}

// TopOptions say which searches Top lists.
type TopOptions struct {
	// Failed lists only the queries that found nothing the last time.
	Failed bool
	// Limit is how many queries at most (0: 50).
	Limit int
}

// Top lists the queries of the last Keep (90 days), most searched first.
func (l *Log) Top(ctx context.Context, o TopOptions) ([]Query, error) {
	if o.Limit <= 0 {
		o.Limit = 50
	}
	oldest := l.now().UTC().Add(-Keep).Format(time.DateOnly)
	// The hits of a query are those of the last day it was searched.
	rows, err := l.db.QueryContext(ctx, `SELECT query, total, hits, day FROM (
			SELECT query, day, hits, sum(count) OVER (PARTITION BY query) AS total,
				row_number() OVER (PARTITION BY query ORDER BY day DESC) AS n
			FROM searches WHERE day >= ?)
		WHERE n = 1 AND (NOT ? OR hits = 0)
		ORDER BY total DESC, query LIMIT ?`, oldest, o.Failed, o.Limit)
	if err != nil {
		return nil, fmt.Errorf("searchlog: %w", err)
	}
	defer rows.Close()
	var out []Query
	for rows.Next() {
		var q Query
		var day string
		if err := rows.Scan(&q.Text, &q.Count, &q.Hits, &day); err != nil {
			return nil, fmt.Errorf("searchlog: %w", err)
		}
		q.Last, _ = time.Parse(time.DateOnly, day)
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("searchlog: %w", err)
	}
	return out, nil
}

// Things in a query that may say who searched: an address, written out
// or in a disguise ("ana at example dot net", "ana(at)example.net", "ana
// [at] example [dot] net"), a number of six digits or more (an order, an
// account), or of nine or more in groups (a phone; years side by side
// have fewer).
var (
	address = regexp.MustCompile(`\S*\s?@\s?\S*`)
	at      = `(?:\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s+at\s+)`
	dot     = `(?:\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+|\.)`
	spelled = regexp.MustCompile(`[\pL\pN._%+-]+` + at + `[\pL\pN-]+(?:` + dot + `[\pL\pN-]+)+`)
	number  = regexp.MustCompile(`[0-9][0-9 ./-]{4,}[0-9]`)
)

// commonTLDs are the endings that make "name at host.tld" an address
// when "at" is a plain word: "look at go.mod" is a search, "jim at
// example.net" someone's address.
var commonTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "edu": true, "gov": true, "io": true, "co": true, "me": true, "info": true,
	"biz": true, "app": true, "dev": true, "uk": true, "de": true, "fr": true, "es": true, "it": true, "nl": true,
	"se": true, "pl": true, "ru": true, "jp": true, "cn": true, "br": true, "in": true, "au": true, "ca": true,
	"ch": true, "at": true, "be": true, "pt": true, "ie": true, "us": true, "eu": true,
}

// blankSpelled returns what an address written out in words becomes.
func blankSpelled(m string) string {
	plainAt := !strings.ContainsAny(m, "([{<")
	if plainAt && !strings.Contains(m, " dot ") {
		last := m[strings.LastIndexByte(m, '.')+1:]
		if !commonTLDs[last] {
			return m
		}
	}
	return "[address]"
}

// normalise returns query as the log keeps it: entities, %-escapes and
// full-width forms read (NFKC), lower case, runs of spaces one space,
// addresses (written out or disguised) and long numbers blanked
// ("[address]", "[number]"), at most maxQuery characters, cut at a word
// where it can be.
func normalise(query string) string {
	if len(query) > maxInput {
		query = query[:maxInput]
	}
	q := strings.ToValidUTF8(query, "")
	for { // "%2540" and "&amp;#64;" are "@" written twice over
		read := strings.ToValidUTF8(percentDecode(html.UnescapeString(q)), "")
		if read == q {
			break
		}
		q = read
	}
	q = norm.NFKC.String(q)
	q = strings.Join(strings.Fields(strings.ToLower(q)), " ")
	q = address.ReplaceAllString(q, "[address]")
	q = spelled.ReplaceAllStringFunc(q, blankSpelled)
	q = number.ReplaceAllStringFunc(q, func(s string) string {
		digits, run, longest := 0, 0, 0
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits++
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
		if longest >= 6 || digits >= 9 {
			return "[number]"
		}
		return s
	})
	n := 0
	for i := range q {
		if n == maxQuery {
			cut := i
			if sp := strings.LastIndexByte(q[:i], ' '); sp > maxQuery/2 {
				cut = sp
			}
			return strings.TrimSpace(q[:cut])
		}
		n++
	}
	return q
}
