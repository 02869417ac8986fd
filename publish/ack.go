package publish

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"text/template"
	"time"

	"mailbag/ingest"
	"mailbag/templates"
)

// ackInterval is the least time between two acknowledgements to one
// address (RFC 3834, 2: do not reply to the same sender more than once
// within a period).
const ackInterval = 24 * time.Hour

// Acknowledge replies to the asker of every new question not yet
// acknowledged that their question arrived, following RFC 3834: marked
// Auto-Submitted: auto-replied, In-Reply-To the question, to the asker's
// address, at most once a day an address. Auto-replies, list mail and
// bounces are never new questions (ingest sets them aside), so they are
// never answered. It returns how many replies went out. overrides is the
// home's templates folder ("" for none).
func Acknowledge(ctx context.Context, db *sql.DB, q *ingest.Queue, m Mailer, n Newsletter, overrides string, now func() time.Time) (int, error) {
	if now == nil {
		now = time.Now
	}
	if err := migrate(ctx, db); err != nil {
		return 0, err
	}
	t, err := templates.Text(overrides, "ack.txt", nil)
	if err != nil {
		return 0, err
	}
	news, err := q.List(ctx, ingest.StatusNew)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, qq := range news {
		addr := strings.ToLower(qq.FromAddr)
		if addr == "" || addr == strings.ToLower(n.Address) {
			continue
		}
		var done int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM acknowledgements WHERE question_id = ?`, qq.ID).Scan(&done); err != nil {
			return sent, fmt.Errorf("publish: acknowledge: %w", err)
		}
		if done > 0 {
			continue
		}
		var recent int
		since := now().Add(-ackInterval).UTC().Format(time.RFC3339)
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM acknowledgements WHERE address = ? AND acked = 1 AND sent > ?`, addr, since).Scan(&recent); err != nil {
			return sent, fmt.Errorf("publish: acknowledge: %w", err)
		}
		acked := recent == 0
		if _, err := db.ExecContext(ctx, `INSERT INTO acknowledgements (question_id, address, acked, sent) VALUES (?, ?, ?, ?)`,
			qq.ID, addr, acked, now().UTC().Format(time.RFC3339)); err != nil {
			return sent, fmt.Errorf("publish: acknowledge: %w", err)
		}
		if !acked {
			continue
		}
		if err := acknowledge(ctx, t, m, n, qq); err != nil {
			_, _ = db.ExecContext(context.WithoutCancel(ctx), `DELETE FROM acknowledgements WHERE question_id = ?`, qq.ID)
			return sent, fmt.Errorf("publish: acknowledge question %d: %w", qq.ID, err)
		}
		sent++
	}
	return sent, nil
}

// acknowledge mails one asker.
func acknowledge(ctx context.Context, t *template.Template, m Mailer, n Newsletter, qq *ingest.Question) error {
	a := autoMail{
		fromName: n.Title, fromAddr: n.Address, toName: qq.FromName, toAddr: qq.FromAddr,
		subject:       "Re: " + qq.Subject,
		autoSubmitted: "auto-replied",
		body:          t,
		data:          map[string]string{"Newsletter": n.Title, "Subject": qq.Subject},
	}
	if !strings.HasPrefix(qq.MessageKey, "sha256:") {
		a.inReplyTo = qq.MessageKey
	}
	return a.send(ctx, m)
}
