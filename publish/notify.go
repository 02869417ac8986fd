package publish

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"text/template"
	"time"

	"mailbag/archive"
	"mailbag/ingest"
	"mailbag/templates"
)

// NotifyAskers mails each asker of the questions post answers, once:
// "your question was answered", with the link, marked Auto-Submitted:
// auto-generated (RFC 3834). It returns how many it told. A question whose
// asker was told before is skipped; a failed message is tried again by the
// next call. overrides is the home's templates folder ("" for none).
func NotifyAskers(ctx context.Context, db *sql.DB, q *ingest.Queue, m Mailer, n Newsletter, post *archive.Post, overrides string) (int, error) {
	if err := migrate(ctx, db); err != nil {
		return 0, err
	}
	t, err := templates.Text(overrides, "notify.txt", nil)
	if err != nil {
		return 0, err
	}
	told := 0
	for _, id := range post.Questions {
		qq, err := q.Get(ctx, id)
		if err != nil {
			return told, err
		}
		if qq.FromAddr == "" || qq.FromAddr == strings.ToLower(n.Address) {
			continue
		}
		// Claimed first: a crash after this never mails twice.
		res, err := db.ExecContext(ctx, `INSERT INTO notifications (question_id, post_slug, sent) VALUES (?, ?, ?)
			ON CONFLICT (question_id) DO NOTHING`, id, post.Slug, time.Now().UTC().Format(time.RFC3339))
		if err != nil {
			return told, fmt.Errorf("publish: notify askers: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue // told before
		}
		if err := notify(ctx, t, m, n, post, qq); err != nil {
			_, _ = db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM notifications WHERE question_id = ?`, id)
			return told, fmt.Errorf("publish: notify the asker of question %d: %w", id, err)
		}
		told++
	}
	return told, nil
}

// notify mails one asker.
func notify(ctx context.Context, t *template.Template, m Mailer, n Newsletter, post *archive.Post, qq *ingest.Question) error {
	return autoMail{
		fromName: n.Title, fromAddr: n.Address, toName: qq.FromName, toAddr: qq.FromAddr,
		subject:       "Your question was answered: " + post.Title,
		autoSubmitted: "auto-generated",
		body:          t,
		data: map[string]string{
			"Newsletter": n.Title,
			"Subject":    qq.Subject,
			"PostURL":    strings.TrimRight(n.BaseURL, "/") + archive.PostURL(post),
		},
	}.send(ctx, m)
}
