package site

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxQuestion is how long a question the ask page takes, in characters.
const maxQuestion = 4000

// askAnswers is how many past answers the ask page shows at most.
const askAnswers = 3

// ask serves the ask page, /ask?q=...: a reader types a question and sees
// the past answers that answer it well (search.Index.Answers: none
// rather than weak ones), then a mailto: link with the question filled in,
// to send it if it is still needed. The page only reads: no question is
// taken over HTTP, and none is kept (a question is not a search: it is not
// counted). It works without JavaScript, as every page does.
func (s *Site) ask(w http.ResponseWriter, r *http.Request) {
	snap := s.cache.get()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := pageData{Question: q}
	if q == "" {
		s.render(w, r, askPage, d)
		return
	}
	if utf8.RuneCountInString(q) > maxQuestion {
		d.Question = echo(q)
		d.Problem, d.status = s.words().T("ask_too_long", s.words().Number(maxQuestion)), http.StatusBadRequest
		d.MailTo = mailto(s.info.Address, "", "")
		s.render(w, r, askPage, d)
		return
	}
	d.MailTo = mailto(s.info.Address, askSubject(q), q)
	release, ok := s.searchSlot(w, r)
	if !ok {
		d.Problem, d.status = s.words().T("ask_busy"), http.StatusServiceUnavailable
		s.render(w, r, askPage, d)
		return
	}
	defer release()
	hits, err := s.o.Index.Answers(r.Context(), q, askAnswers)
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		d.Problem, d.status = s.words().T("ask_slow"), http.StatusServiceUnavailable
	case err != nil:
		s.log.Error("ask", "err", err)
		d.Problem, d.status = s.words().T("ask_failed"), statusOf(err)
	}
	for _, h := range hits {
		if p, _, ok := snap.bySlug(h.Slug); ok {
			d.Answers = append(d.Answers, linkOf(p))
		}
	}
	d.noStore = true // the reader's question is in the page
	s.render(w, r, askPage, d)
}

// askSubject returns the subject of a question's mail: its first line, cut at
// a word near 80 characters.
func askSubject(q string) string {
	line, _, _ := strings.Cut(q, "\n")
	line = strings.Join(strings.Fields(line), " ")
	if utf8.RuneCountInString(line) <= 80 {
		return line
	}
	runes := []rune(line)
	cut := string(runes[:80])
	if sp := strings.LastIndexByte(cut, ' '); sp > 40 {
		cut = cut[:sp]
	}
	return cut + "…"
}

// mailto returns a mailto: URL (RFC 6068) to address with subject and body
// filled in: spaces as %20, line breaks as %0D%0A.
func mailto(address, subject, body string) string {
	esc := func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
	u := "mailto:" + url.PathEscape(address)
	var params []string
	if subject != "" {
		params = append(params, "subject="+esc(subject))
	}
	if body != "" {
		body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
		params = append(params, "body="+esc(body))
	}
	if len(params) > 0 {
		u += "?" + strings.Join(params, "&")
	}
	return u
}
