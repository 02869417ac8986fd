package publish

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// ImportLine reports what became of one line of an import.
type ImportLine struct {
	Line   int    // in the file, from 1 (the header)
	Email  string // as written
	Result string // "added", "already subscribed", "skipped", "bad"
	Reason string // for skipped and bad lines
}

// ImportSummary counts the lines of an import by what became of them.
type ImportSummary struct {
	Added, Already, Skipped, Bad int
}

// count counts a line's result; false for an error, which ends the import.
func (sum *ImportSummary) count(result string) bool {
	switch result {
	case "added":
		sum.Added++
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

// readHeader reads the header row, in lower case, and finds the email and
// name columns (name -1 for none); a header without an email column is an
// error.
func readHeader(cr *csv.Reader) (header []string, emailCol, nameCol int, err error) {
	header, err = cr.Read()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("publish: import: line 1: no header row: %w", err)
	}
	emailCol, nameCol = -1, -1
	for i, h := range header {
		h = strings.ToLower(fromCell(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))))
		header[i] = h
		switch {
		case emailCol < 0 && slices.Contains(emailColumns, h):
			emailCol = i
		case nameCol < 0 && slices.Contains(nameColumns, h):
			nameCol = i
		}
	}
	if emailCol < 0 {
		return nil, 0, 0, fmt.Errorf("publish: import: line 1: no email column in the header (%s)", strings.Join(header, ", "))
	}
	return header, emailCol, nameCol, nil
}

// exportColumns are the columns Export writes besides attributes; Import
// reads email and name from them and ignores the others.
var exportColumns = []string{"email", "name", "status", "source", "created"}

// emailColumns and nameColumns are the header names taken for the address
// and the name.
var (
	emailColumns = []string{"email", "e-mail", "email address", "e-mail address", "mail"}
	nameColumns  = []string{"name", "full name"}
)

// Import adds the subscribers of a CSV file: a header row naming an email
// column (and optionally name); other columns are kept as attributes. Each
// line is reported: added, already subscribed, skipped (the address left the
// list, and is not put back), or bad (no address, not an address, twice in
// the file), with its line number. The whole import is one transaction. The
// error is for a file without an email column, or the database failing.
func (s *Subscribers) Import(ctx context.Context, r io.Reader, source string, report func(ImportLine)) (ImportSummary, error) {
	var sum ImportSummary
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	header, emailCol, nameCol, err := readHeader(cr)
	if err != nil {
		return sum, err
	}
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
		out := s.importRecord(ctx, tx, rec, header, emailCol, nameCol, source, seen, line)
		if !sum.count(out.Result) {
			return sum, errors.New(out.Reason)
		}
		report(out)
	}
	if err := tx.Commit(); err != nil {
		return sum, fmt.Errorf("publish: import: %w", err)
	}
	return sum, nil
}

// importRecord adds one CSV record, within tx.
func (s *Subscribers) importRecord(ctx context.Context, tx queryer, rec, header []string, emailCol, nameCol int, source string, seen map[string]int, line int) ImportLine {
	field := func(i int) string {
		if i >= 0 && i < len(rec) {
			return fromCell(strings.TrimSpace(rec[i]))
		}
		return ""
	}
	out := ImportLine{Line: line, Email: field(emailCol)}
	if out.Email == "" {
		out.Result, out.Reason = "bad", "no address"
		return out
	}
	addr, _, err := NormalizeAddress(out.Email)
	if err != nil {
		out.Result, out.Reason = "bad", "not a mail address"
		return out
	}
	key := strings.ToLower(addr)
	if first, dup := seen[key]; dup {
		out.Result, out.Reason = "bad", fmt.Sprintf("the same address as line %d", first)
		return out
	}
	seen[key] = line
	attrs := map[string]string{}
	for i, h := range header {
		if i != emailCol && i != nameCol && !slices.Contains(exportColumns, h) && field(i) != "" {
			attrs[h] = field(i)
		}
	}
	_, added, err := s.add(ctx, tx, addr, field(nameCol), source, attrs)
	switch {
	case errors.Is(err, ErrSuppressed):
		out.Result, out.Reason = "skipped", strings.TrimPrefix(err.Error(), ErrSuppressed.Error()+": ")
	case err != nil:
		out.Result, out.Reason = "error", err.Error()
	case added == AddedAlready:
		out.Result = "already subscribed"
	default:
		out.Result = "added"
	}
	return out
}

// Export writes every subscriber as CSV: email, name, status, source,
// created, then one column per attribute. Import reads it back.
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
		rec := []string{sub.Email, sub.Name, string(sub.Status), sub.Source, sub.Created.Format(time.RFC3339)}
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
