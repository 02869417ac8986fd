package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestQueueTransitions(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	_, err := q.add(ctx, []stored{
		{Question: Question{Status: StatusNew, MessageKey: "a", Subject: "A", Received: now}, mailbox: "INBOX", uidValidity: 1, uid: 1},
		{Question: Question{Status: StatusIgnored, Kind: KindAutoReply, Reason: "Auto-Submitted: auto-replied", MessageKey: "b", Received: now}, mailbox: "INBOX", uidValidity: 1, uid: 2},
	}, "INBOX", 1, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Reject(ctx, 1, "off topic"); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.Get(ctx, 1); got.Status != StatusRejected || got.Reason != "off topic" {
		t.Errorf("after Reject: %+v", got)
	}
	if err := q.MarkAnswered(ctx, 1, "a-post"); !errors.Is(err, ErrStatus) || !strings.Contains(err.Error(), "question 1 is rejected, not new") {
		t.Errorf("answering a rejected question: %v", err)
	}
	if err := q.Reopen(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := q.MarkAnswered(ctx, 1, "a-post"); err != nil {
		t.Fatal(err)
	}
	if err := q.MarkAnswered(ctx, 1, "a-post"); err != nil {
		t.Errorf("marking answered again (publish run twice): %v", err)
	}
	if got, _ := q.Get(ctx, 1); got.Status != StatusAnswered || got.AnswerSlug != "a-post" {
		t.Errorf("after MarkAnswered: %+v", got)
	}
	if err := q.Reject(ctx, 2, ""); !errors.Is(err, ErrStatus) || !strings.Contains(err.Error(), "question 2 is ignored (auto-reply), not new") {
		t.Errorf("rejecting an ignored message: %v", err)
	}
	if err := q.Reopen(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.Get(ctx, 2); got.Status != StatusNew || got.Kind != "" || got.Reason != "" {
		t.Errorf("an ignored message reopened: %+v", got)
	}
	if err := q.Reject(ctx, 99, ""); !errors.Is(err, ErrNoQuestion) {
		t.Errorf("rejecting question 99: %v", err)
	}
}

// The Message-IDs a reply names are read from In-Reply-To and References,
// each once, bounded in number and length; junk between them is skipped.
func TestMessageIDs(t *testing.T) {
	long := strings.Repeat("x", maxRefLen+1) + "@example.net"
	many := ""
	for i := range maxRefs + 5 {
		many += fmt.Sprintf(" <m%d@example.net>", i)
	}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"<a@example.net>", []string{"a@example.net"}},
		{"<a@example.net> <b@example.net>\r\n\t<a@example.net>", []string{"a@example.net", "b@example.net"}},
		{"junk <a@example.net> (comment) <> < > <" + long + "> <b@x", []string{"a@example.net"}},
		{"", nil},
		{many, func() (out []string) {
			for i := 5; i < maxRefs+5; i++ {
				out = append(out, fmt.Sprintf("m%d@example.net", i))
			}
			return out
		}()},
	} {
		if got := messageIDs(c.in); !slices.Equal(got, c.want) {
			t.Errorf("messageIDs(%.60q) = %q, want %q", c.in, got, c.want)
		}
	}
}
