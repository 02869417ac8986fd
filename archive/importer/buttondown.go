package importer

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"time"
)

// buttondownEmail is one email of a Buttondown export, from emails.csv or
// emails.json.
type buttondownEmail struct {
	ID          string `json:"id"`
	Subject     string `json:"subject"`
	Slug        string `json:"slug"`
	PublishDate string `json:"publish_date"`
	Status      string `json:"status"`
	EmailType   string `json:"email_type"`
	Body        string `json:"body"`
}

// readButtondown reads a Buttondown export (the zip or its folder):
// emails.csv or emails.json, one line an email, and emails/SLUG.md, each
// email's body, Markdown or (written in the "fancy" editor) HTML. The old
// address is /archive/SLUG/.
func readButtondown(src string) ([]entry, string, error) {
	fsys, marker, ok, err := openExport(src, "emails.csv", "emails.json")
	if err != nil {
		return nil, "", err
	}
	defer fsys.Close()
	if !ok {
		return nil, "", fmt.Errorf("no emails.csv or emails.json: not a Buttondown export (Settings, Exports)")
	}
	data, err := readAll(fsys, marker)
	if err != nil {
		return nil, "", err
	}
	var emails []buttondownEmail
	if marker == "emails.json" {
		if err := json.Unmarshal(data, &emails); err != nil {
			return nil, "", fmt.Errorf("emails.json: %w", err)
		}
	} else if emails, err = buttondownCSV(data); err != nil {
		return nil, "", err
	}
	var out []entry
	for i, m := range emails {
		e := entry{source: fmt.Sprintf("%s:%d (%s)", marker, i+2, m.Slug), title: m.Subject, slug: m.Slug}
		if marker == "emails.json" {
			e.source = fmt.Sprintf("%s: %s", marker, m.Slug)
		}
		if m.Slug != "" {
			e.aliases = []string{"/archive/" + m.Slug + "/"}
		}
		for _, l := range []string{"2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.999999-07:00", time.RFC3339Nano} {
			if t, err := time.Parse(l, strings.TrimSpace(m.PublishDate)); err == nil {
				e.date = t.UTC()
				break
			}
		}
		switch st, typ := strings.ToLower(m.Status), strings.ToLower(m.EmailType); {
		case st != "" && st != "sent" && st != "imported" && st != "published":
			e.skip = fmt.Sprintf("not sent on Buttondown (status %s)", m.Status)
		case typ == "premium" || typ == "private" || typ == "churned":
			e.skip = fmt.Sprintf("not public on Buttondown (email type %s)", m.EmailType)
		}
		if e.skip == "" {
			body := m.Body
			if body == "" {
				b, err := readAll(fsys, path.Join("emails", m.Slug+".md"))
				if err != nil {
					e.skip = fmt.Sprintf("its text, emails/%s.md, is not in the export", m.Slug)
				}
				body = string(b)
			}
			mode, rest := buttondownMode(body)
			if mode == "fancy" {
				e.html = rest
			} else {
				e.markdown = rest
			}
		}
		out = append(out, e)
	}
	return out, "", nil
}

// buttondownCSV reads emails.csv.
func buttondownCSV(data []byte) ([]buttondownEmail, error) {
	recs, err := csvRecords(data, "emails.csv", "Buttondown", "subject", "slug")
	if err != nil {
		return nil, err
	}
	var out []buttondownEmail
	for _, r := range recs {
		out = append(out, buttondownEmail{ID: r["id"], Subject: r["subject"], Slug: r["slug"], PublishDate: r["publish_date"],
			Status: r["status"], EmailType: r["email_type"]})
	}
	return out, nil
}

// buttondownMode returns the editor an email was written in ("fancy" for
// HTML, "plaintext" for Markdown, "" when it does not say) and the body
// without the comment that says so.
func buttondownMode(body string) (mode, rest string) {
	const open = "<!-- buttondown-editor-mode:"
	t := strings.TrimLeft(body, " \t\r\n\ufeff")
	if !strings.HasPrefix(t, open) {
		return "", body
	}
	end := strings.Index(t, "-->")
	if end < 0 {
		return "", body
	}
	return strings.TrimSpace(t[len(open):end]), t[end+3:]
}
