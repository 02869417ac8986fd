package mailinglist

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mailbag/internal/mailaddr"
	"maps"
	"slices"
	"strings"
	"time"
)

// ImportLine reports what became of one line of an import.
type ImportLine struct {
	Line   int    // in the file, from 1 (the header)
	Email  string // as written
	Result string // "added", "updated", "already subscribed", "skipped", "bad"
	Reason string // for updated, skipped and bad lines
}

// ImportSummary counts the lines of an import by what became of them, and
// by the status the file gives them.
type ImportSummary struct {
	Added, Updated, Already, Skipped, Bad int
	// Layout is the export the file was read as.
	Layout Layout
	// Statuses counts the lines read (all but the bad ones) by the status
	// the file gives them, as mailbag names it.
	Statuses StatusCounts
}

// StatusCounts counts subscribers by status.
type StatusCounts struct {
	Pending, Active, Unsubscribed, Bounced, Complained int
}

// add counts one of status st.
func (c *StatusCounts) add(st SubscriberStatus) {
	switch st {
	case Pending:
		c.Pending++
	case Active:
		c.Active++
	case Unsubscribed:
		c.Unsubscribed++
	case Bounced:
		c.Bounced++
	case Complained:
		c.Complained++
	}
}

// ImportOptions say what an import's file is.
type ImportOptions struct {
	// Source is what the subscribers added are recorded as coming from:
	// "import:list.csv".
	Source string
	// File is the file's name, which in some platforms' exports says who
	// is in it ("unsubscribed_….csv"); it may be empty.
	File string
	// From is the export's layout; empty, Import tells it from the
	// header.
	From Layout
}

// count counts a line's result; false for an error, which ends the import.
func (sum *ImportSummary) count(result string) bool {
	switch result {
	case "added":
		sum.Added++
	case "updated":
		sum.Updated++
	case "already subscribed":
		sum.Already++
	case "skipped":
		sum.Skipped++
	case "bad":
		sum.Bad++
	default:
		return false
	}
	return true
}

// exportColumns are the columns Export writes before the attributes, and
// that Import reads as such; every other column is an attribute.
var exportColumns = []string{"email", "name", "status", "source", "created", "updated"}

// emailColumns and nameColumns are the header names taken for the address
// and the name.
var (
	emailColumns = []string{"email", "e-mail", "email address", "e-mail address", "email_address", "mail"}
	nameColumns  = []string{"name", "full name"}
)

// columns are where an import file has each known column; -1 where it has
// none.
type columns struct {
	header                                        header // in lower case
	layout                                        Layout
	file                                          string
	email, name, status, source, created, updated int
}

// readHeader reads the header row, tells its layout (unless from names
// it) and finds the known columns; a header no layout reads is an error.
func readHeader(cr *csv.Reader, from Layout) (columns, error) {
	h, err := cr.Read()
	if err != nil {
		return columns{}, fmt.Errorf("publish: import: line 1: no header row: %w", err)
	}
	for i := range h {
		h[i] = strings.ToLower(fromCell(strings.TrimSpace(strings.TrimPrefix(h[i], "\ufeff"))))
	}
	if from == "" {
		from, err = detectLayout(h)
	} else {
		err = checkLayout(from, h)
	}
	if err != nil {
		return columns{}, err
	}
	c := columns{header: h, layout: from, email: -1, name: -1, status: -1, source: -1, created: -1, updated: -1}
	for i, h := range h {
		for _, col := range []struct {
			at    *int
			names []string
		}{{&c.email, emailColumns}, {&c.name, nameColumns}, {&c.status, []string{"status"}},
			{&c.source, []string{"source"}}, {&c.created, []string{"created"}}, {&c.updated, []string{"updated"}}} {
			if *col.at < 0 && slices.Contains(col.names, h) {
				*col.at = i
				break
			}
		}
	}
	if c.email < 0 {
		return columns{}, fmt.Errorf("publish: import: line 1: %w in the header (%s)", ErrNoEmailColumn, strings.Join(h, ", "))
	}
	return c, nil
}

// Import adds the subscribers of a CSV file: a header row naming an email
// column, and optionally name, status, source, created and updated (as
// Export writes them); other columns are kept as attributes. So a file from
// Export, imported into an empty home, gives back the same list, statuses,
// sources, dates and attributes: a second Export is the same file.
//
// It reads the subscriber exports of Substack, Ghost, Mailchimp,
// Buttondown, beehiiv, Kit and listmonk too, told by their columns
// (o.From names one instead): names, the date of consent and who left
// (unsubscribed, bounced, cleaned, complained, blocklisted) are carried
// over; a status a platform writes that Import does not know is a bad
// line, never an active subscriber. A header that no export has, with a
// column that may say who left, is refused.
//
// An address the file says left (unsubscribed, bounced, complained) is
// added so, or, if the list has it as active or pending, marked so
// ("updated"); one that left the list is never put back. Each line is
// reported: added, updated, already subscribed, skipped (left the list),
// or bad (no address, not an address, twice in the file, an unknown status
// or a date that does not read), with its line number. The whole import is
// one transaction. The error is for a file without an email column, or the
// database failing.
func (s *Subscribers) Import(ctx context.Context, r io.Reader, o ImportOptions, report func(ImportLine)) (ImportSummary, error) {
	var sum ImportSummary
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cols, err := readHeader(cr, o.From)
	if err != nil {
		return sum, err
	}
	cols.file = o.File
	sum.Layout = cols.layout
	source := o.Source
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return sum, fmt.Errorf("publish: import: %w", err)
	}
	defer tx.Rollback()
	seen := map[string]int{} // address -> line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				sum.Bad++
				report(ImportLine{Line: pe.Line, Result: "bad", Reason: pe.Err.Error()})
				continue
			}
			return sum, fmt.Errorf("publish: import: %w", err)
		}
		out, st := s.importRecord(ctx, tx, rec, cols, source, seen, line)
		if !sum.count(out.Result) {
			return sum, errors.New(out.Reason)
		}
		sum.Statuses.add(st)
		report(out)
	}
	if err := tx.Commit(); err != nil {
		return sum, fmt.Errorf("publish: import: %w", err)
	}
	return sum, nil
}

// importRow is one line of an import, read.
type importRow struct {
	addr, name, source string
	status             SubscriberStatus
	created, updated   time.Time
	attrs              map[string]string
}

// readRecord reads one CSV record; the error says in words what is wrong.
func readRecord(rec []string, cols columns, source string) (importRow, error) {
	field := func(i int) string {
		if i >= 0 && i < len(rec) {
			return fromCell(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	row := importRow{name: field(cols.name), source: source, status: Active, attrs: map[string]string{}}
	if field(cols.email) == "" {
		return row, errors.New("no address")
	}
	addr, _, why := normalizeAddress(field(cols.email))
	if why != "" {
		return row, errors.New(why)
	}
	row.addr = addr
	if cols.layout != Mailbag {
		return readPlatformRecord(row, field, cols)
	}
	if err := checkName(row.name); err != nil {
		return row, errors.New(nameProblem)
	}
	if st := SubscriberStatus(field(cols.status)); st != "" {
		if !slices.Contains([]SubscriberStatus{Pending, Active, Unsubscribed, Bounced, Complained}, st) {
			return row, fmt.Errorf("status %q is not pending, active, unsubscribed, bounced or complained", st)
		}
		row.status = st
	}
	if src := field(cols.source); src != "" {
		row.source = src
	}
	for _, d := range []struct {
		col  int
		name string
		to   *time.Time
	}{{cols.created, "created", &row.created}, {cols.updated, "updated", &row.updated}} {
		if v := field(d.col); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return row, fmt.Errorf("%s %q is not a date and time such as 2026-11-24T10:00:00Z", d.name, v)
			}
			*d.to = t
		}
	}
	for i, h := range cols.header {
		if !slices.Contains(exportColumns, h) && i != cols.email && i != cols.name && field(i) != "" {
			row.attrs[h] = field(i)
		}
	}
	return row, nil
}

// readPlatformRecord reads the rest of a record of another platform's
// export (cols.layout) into row, which has its address.
func readPlatformRecord(row importRow, field func(int) string, cols columns) (importRow, error) {
	get := func(names ...string) string {
		for _, n := range names {
			if i := slices.Index(cols.header, n); i >= 0 {
				return field(i)
			}
		}
		return ""
	}
	name, st, consent, err := layouts[cols.layout].row(get, cols.file)
	if err != nil {
		return row, err
	}
	row.name, row.status = name, st
	if err := checkName(row.name); err != nil {
		row.name = ""
	}
	if consent != "" {
		if t, ok := parseConsent(consent); ok {
			row.created = t
		} else {
			row.attrs["consent"] = consent // kept as written
		}
	}
	return row, nil
}

// importRecord adds, or marks, one CSV record's subscriber, within tx; it
// returns the status the file gives it ("" for a bad line).
func (s *Subscribers) importRecord(ctx context.Context, tx queryer, rec []string, cols columns, source string, seen map[string]int, line int) (ImportLine, SubscriberStatus) {
	out := ImportLine{Line: line}
	if cols.email < len(rec) {
		out.Email = fromCell(strings.TrimSpace(rec[cols.email]))
	}
	row, err := readRecord(rec, cols, source)
	if err != nil {
		out.Result, out.Reason = "bad", err.Error()
		return out, ""
	}
	key := mailaddr.Key(row.addr)
	if first, dup := seen[key]; dup {
		out.Result, out.Reason = "bad", fmt.Sprintf("the same address as line %d", first)
		return out, ""
	}
	seen[key] = line
	out.Result, out.Reason, err = s.importRow(ctx, tx, row)
	if err != nil {
		out.Result, out.Reason = "error", err.Error()
	}
	return out, row.status
}

// importRow puts row on the list: a new address as the row says; one on
// the list as active or pending is marked as having left when the row says
// so; one that left stays so.
func (s *Subscribers) importRow(ctx context.Context, tx queryer, row importRow) (result, reason string, err error) {
	old, err := s.get(ctx, tx, row.addr)
	switch {
	case errors.Is(err, ErrNoSubscriber):
		return "added", "", s.insert(ctx, tx, row)
	case err != nil:
		return "", "", err
	case old.Status != Active && old.Status != Pending:
		return "skipped", fmt.Sprintf("%s is %s (since %s); mailbag does not subscribe it again", old.Email, old.Status, old.Updated.Format("2006-01-02")), nil
	case row.status != Active && row.status != Pending:
		if err := s.setStatus(ctx, tx, old.Email, row.status); err != nil {
			return "", "", err
		}
		return "updated", fmt.Sprintf("%s was %s; the file says %s", old.Email, old.Status, row.status), nil
	}
	return "already subscribed", alreadyReason(old, row), nil
}

// alreadyReason says of a line whose address is on the list already what
// of it was not applied: the list keeps what it has.
func alreadyReason(old *Subscriber, row importRow) string {
	var differ []string
	if row.name != "" && row.name != old.Name {
		differ = append(differ, fmt.Sprintf("its name %q (the list has %q)", row.name, old.Name))
	}
	for _, k := range slices.Sorted(maps.Keys(row.attrs)) {
		if old.Attributes[k] != row.attrs[k] {
			differ = append(differ, fmt.Sprintf("its %s %q", k, row.attrs[k]))
		}
	}
	reason := fmt.Sprintf("%s is %s since %s", old.Email, old.Status, old.Created.Format("2006-01-02"))
	if len(differ) > 0 {
		reason += "; not applied: " + strings.Join(differ, ", ")
	}
	return reason
}

// Export writes every subscriber as CSV: email, name, status, source,
// created, updated (RFC 3339, UTC), then one column per attribute. Import
// reads it back, all of it.
func (s *Subscribers) Export(ctx context.Context, w io.Writer) error {
	subs, err := s.List(ctx, "")
	if err != nil {
		return err
	}
	keys := map[string]bool{}
	for _, sub := range subs {
		for k := range sub.Attributes {
			keys[k] = true
		}
	}
	attrCols := slices.Sorted(maps.Keys(keys))
	cw := csv.NewWriter(w)
	write := func(rec []string) {
		for i, v := range rec {
			rec[i] = toCell(v)
		}
		_ = cw.Write(rec)
	}
	write(append(slices.Clone(exportColumns), attrCols...))
	for _, sub := range subs {
		rec := []string{sub.Email, sub.Name, string(sub.Status), sub.Source,
			sub.Created.UTC().Format(time.RFC3339), sub.Updated.UTC().Format(time.RFC3339)}
		for _, k := range attrCols {
			rec = append(rec, sub.Attributes[k])
		}
		write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("publish: export subscribers: %w", err)
	}
	return nil
}

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula.
const formulaStarts = "=+-@\t\r"

// toCell keeps a value that a spreadsheet would run as a formula (a name
// typed into the subscribe form, say "=HYPERLINK(...)") from being one, the
// usual way: an apostrophe in front. A value that starts with an apostrophe
// gets another, so that fromCell, on import, gives back every value as it
// was.
func toCell(v string) string {
	if v != "" && (v[0] == '\'' || strings.ContainsRune(formulaStarts, rune(v[0]))) {
		return "'" + v
	}
	return v
}

// fromCell undoes toCell. A value toCell would not have made (an apostrophe
// before anything else, as a person might type) is left as it is.
func fromCell(v string) string {
	if len(v) > 1 && v[0] == '\'' && (v[1] == '\'' || strings.ContainsRune(formulaStarts, rune(v[1]))) {
		return v[1:]
	}
	return v
}
