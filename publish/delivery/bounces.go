package delivery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"mailbag/publish/mailinglist"
	"mailbag/questions"
	"strings"
	"time"
)

// Marked is a subscriber ApplyReports took off the list, and why.
type Marked struct {
	Email  string
	Status mailinglist.SubscriberStatus // bounced, complained or unsubscribed
}

// SoftBounces say when failures that are not a missing mailbox bounce an
// address: in Limit different sends spanning at least Days days. Zero
// values mean 3 and 7.
type SoftBounces struct {
	Limit int
	Days  int
}

func (s SoftBounces) limit() int { return orDefault(s.Limit, 3) }
func (s SoftBounces) days() int  { return orDefault(s.Days, 7) }

// orDefault returns v, or def when v is zero or less.
func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// ReportOptions configure ApplyReports.
type ReportOptions struct {
	DB          *sql.DB // the state database: the deliveries reports name
	Queue       *questions.Queue
	Subscribers *mailinglist.Subscribers
	// Key signs unsubscribe tokens (LoadSecret): an unsubscribe request
	// acts only with a token it signed.
	Key         []byte
	SoftBounces SoftBounces
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// proofGrace is how long a report that names no recorded delivery is
// looked at again: the delivery it answers may not be recorded yet (a
// report can come back while its send still runs).
const proofGrace = 24 * time.Hour

// ApplyReports weighs each report in the question queue not yet settled
// and acts on those that prove themselves. A delivery report (RFC 3464, RFC
// 6533) or an abuse report (ARF, JMRP, JSON) proves itself by naming the
// Message-ID of a delivery mailbag recorded, and acts only on the
// subscriber that delivery went to: bounced when the report says the
// address does not exist (addressGone), a soft failure when it failed for
// another reason (SoftBounces), complained for an abuse report. An
// unsubscribe request proves itself by carrying the subscriber's signed
// token (List-Unsubscribe's mailto:), whoever sends it. A report that
// proves nothing changes nothing; its note in the queue says so. It
// returns whom it took off the list.
func ApplyReports(ctx context.Context, o ReportOptions) ([]Marked, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	reports, err := o.Queue.UnsettledReports(ctx)
	if err != nil {
		return nil, err
	}
	var marked []Marked
	for _, r := range reports {
		var m []Marked
		var note string
		final := true
		switch r.Kind {
		case questions.KindUnsubscribe:
			m, note, err = o.unsubscribe(ctx, r)
		default:
			m, note, final, err = o.applyReport(ctx, r)
		}
		if err != nil {
			return marked, err
		}
		marked = append(marked, m...)
		if err := o.Queue.SettleReport(ctx, r.ID, note, final); err != nil {
			return marked, err
		}
	}
	return marked, nil
}

// unsubscribe acts on an unsubscribe request by its token.
func (o ReportOptions) unsubscribe(ctx context.Context, r questions.StoredReport) ([]Marked, string, error) {
	const unproven = "proves nothing: no valid token (only the address in a list mail's List-Unsubscribe carries one), so nothing changed"
	if r.Token == "" {
		return nil, unproven, nil
	}
	sub, err := o.Subscribers.Unsubscriber(ctx, o.Key, r.Token)
	if errors.Is(err, mailinglist.ErrBadToken) || errors.Is(err, mailinglist.ErrTestToken) {
		return nil, unproven, nil
	}
	if err != nil {
		return nil, "", err
	}
	if sub.Status != mailinglist.Active && sub.Status != mailinglist.Pending {
		return nil, fmt.Sprintf("proven (a signed token): subscriber %d is %s already", sub.ID, sub.Status), nil
	}
	if err := o.Subscribers.SetStatusByID(ctx, sub.ID, mailinglist.Unsubscribed, "asked by mail"); err != nil {
		return nil, "", err
	}
	return []Marked{{sub.Email, mailinglist.Unsubscribed}}, fmt.Sprintf("proven (a signed token): subscriber %d unsubscribed", sub.ID), nil
}

// delivered is a delivery a report names by its Message-ID.
type delivered struct {
	slug      string
	id        int64
	email     string // the address key: lower case
	status    mailinglist.SubscriberStatus
	messageID string
}

// deliveriesNamed returns the deliveries whose Message-IDs are among ids.
func (o ReportOptions) deliveriesNamed(ctx context.Context, ids []string) ([]delivered, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := o.DB.QueryContext(ctx, `SELECT d.post_slug, s.id, s.email_key, s.status, d.message_id
		FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.message_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("publish: find the mail a report names: %w", err)
	}
	defer rows.Close()
	var out []delivered
	for rows.Next() {
		var d delivered
		if err := rows.Scan(&d.slug, &d.id, &d.email, &d.status, &d.messageID); err != nil {
			return nil, fmt.Errorf("publish: find the mail a report names: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// applyReport acts on a delivery or abuse report, when it names mail
// mailbag sent. final is false while a report that names none may still
// be answered by a delivery not yet recorded (proofGrace).
func (o ReportOptions) applyReport(ctx context.Context, r questions.StoredReport) (marked []Marked, note string, final bool, err error) {
	named, err := o.deliveriesNamed(ctx, r.MessageIDs)
	if err != nil {
		return nil, "", false, err
	}
	if len(named) == 0 {
		if o.Now().Sub(r.Received) < proofGrace {
			return nil, "not proven yet: it names no mail this newsletter sent (looked at again for a day)", false, nil
		}
		return nil, "proves nothing: it names no mail this newsletter sent, so nothing changed", true, nil
	}
	var did []string
	for _, d := range named {
		effect, why := o.effect(r, d)
		if effect == "" {
			continue
		}
		m, err := o.act(ctx, r, d, effect, why)
		if err != nil {
			return marked, "", false, err
		}
		marked = append(marked, m...)
		did = append(did, fmt.Sprintf("%s subscriber %d", effect, d.id))
	}
	if len(did) == 0 {
		if r.Kind == questions.KindBounce && !namesAny(r.Recipients, named) {
			return marked, "proves nothing: the mail it names went to another address than those it reports on, so nothing changed", true, nil
		}
		return marked, "proven (it names mail sent to subscriber " + fmt.Sprint(named[0].id) + "): nothing to change", true, nil
	}
	return marked, "proven (it names mail this newsletter sent): " + strings.Join(did, ", "), true, nil
}

// effect returns what report r makes of the subscriber of delivery d:
// "bounced", "failed" (a soft failure), "complained", or "" for nothing;
// why is the status that says so.
func (o ReportOptions) effect(r questions.StoredReport, d delivered) (effect, why string) {
	if r.Kind == questions.KindComplaint {
		// Whoever it lists (providers often redact the address), the mail it
		// names went to d's subscriber alone: they complained.
		return "complained", "an abuse report"
	}
	rc := about(r.Recipients, d.email)
	if rc == nil {
		return "", ""
	}
	switch reportVerdict(rc.Action, rc.Status) {
	case addressGone:
		return "bounced", rc.Status
	case messageRefused:
		return "failed", rc.Status
	case tryLater:
		if rc.Action == "failed" { // a 4.x.x status: the relay gave up trying
			return "failed", rc.Status
		}
	}
	return "", ""
}

// about returns the recipient of rs about address (its final or original
// address); nil when none is.
func about(rs []questions.Recipient, address string) *questions.Recipient {
	for i := range rs {
		if rs[i].Address == address || rs[i].Original == address {
			return &rs[i]
		}
	}
	return nil
}

// namesAny says whether any recipient of rs is the address of one of ds.
func namesAny(rs []questions.Recipient, ds []delivered) bool {
	for _, d := range ds {
		if about(rs, d.email) != nil {
			return true
		}
	}
	return false
}

// act applies effect to the subscriber of delivery d, recording it for
// `mailbag sends`.
func (o ReportOptions) act(ctx context.Context, r questions.StoredReport, d delivered, effect, why string) ([]Marked, error) {
	at := r.Received.UTC().Format(time.RFC3339)
	if _, err := o.DB.ExecContext(ctx, `INSERT INTO report_effects (report_id, post_slug, subscriber_id, effect, at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, r.ID, d.slug, d.id, effect, at); err != nil {
		return nil, fmt.Errorf("publish: record what report %d did: %w", r.ID, err)
	}
	if d.status != mailinglist.Active && d.status != mailinglist.Pending {
		return nil, nil
	}
	switch effect {
	case "failed":
		// Dated when applied, minutes after the report came: the span of
		// failures is counted in days.
		bounced, err := recordSoftFailure(ctx, o.DB, o.SoftBounces, d.id, d.slug, o.Now(), "report: "+why, o.Now())
		if err != nil || !bounced {
			return nil, err
		}
		return []Marked{{d.email, mailinglist.Bounced}}, nil
	case "bounced":
		if err := o.Subscribers.SetStatusByID(ctx, d.id, mailinglist.Bounced, "the address does not exist ("+why+")"); err != nil {
			return nil, err
		}
		return []Marked{{d.email, mailinglist.Bounced}}, nil
	case "complained":
		if err := o.Subscribers.SetStatusByID(ctx, d.id, mailinglist.Complained, "reported the list mail as spam"); err != nil {
			return nil, err
		}
		return []Marked{{d.email, mailinglist.Complained}}, nil
	}
	return nil, nil
}
