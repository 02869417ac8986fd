package questions

import (
	"context"
	"errors"
	"fmt"
	"mailbag/internal/sqlitedb"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestQueueTransitions(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	_, err := q.Add(ctx, []Incoming{
		{Question: Question{Status: StatusNew, MessageKey: "a", Subject: "A", Received: now}, Mailbox: "INBOX", UIDValidity: 1, UID: 1},
		{Question: Question{Status: StatusIgnored, Kind: KindAutoReply, Reason: "Auto-Submitted: auto-replied", MessageKey: "b", Received: now}, Mailbox: "INBOX", UIDValidity: 1, UID: 2},
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
	if err := q.MarkAnswered(ctx, 1, "a-post"); !errors.Is(err, errStatus) || !strings.Contains(err.Error(), "question 1 is rejected, not new") {
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
	if err := q.Reject(ctx, 2, ""); !errors.Is(err, ErrNoQuestion) {
		t.Errorf("rejecting an ignored message, which took no question number: %v", err)
	}
	number, err := q.ReopenOther(ctx, 1)
	if err != nil || number != 2 {
		t.Fatalf("ReopenOther(m1) = %d, %v; want question 2", number, err)
	}
	if got, _ := q.Get(ctx, 2); got.Status != StatusNew || got.Kind != "" || got.Reason != "" || got.MessageKey != "b" {
		t.Errorf("an ignored message reopened: %+v", got)
	}
	if _, err := q.Other(ctx, 1); !errors.Is(err, ErrNoQuestion) {
		t.Errorf("m1 after it became a question: %v", err)
	}
	if err := q.Reject(ctx, 99, ""); !errors.Is(err, ErrNoQuestion) {
		t.Errorf("rejecting question 99: %v", err)
	}
}

// Questions take question numbers one after the other, whatever other mail
// comes between them; other mail is numbered apart, listed with why, and a
// message is stored once whichever it was.
func TestQuestionsNumberedAsQuestions(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var in []Incoming
	for i, kind := range []Kind{"", KindBounce, KindAutoReply, "", KindComplaint, KindList, KindOwn, ""} {
		m := Incoming{Question: Question{Status: StatusNew, MessageKey: fmt.Sprint("k", i), Subject: fmt.Sprint("S", i), Received: now.Add(time.Duration(i) * time.Minute)},
			Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i + 1)}
		if kind != "" {
			m.Status, m.Kind, m.Reason = StatusIgnored, kind, string(kind)
		}
		in = append(in, m)
	}
	if _, err := q.Add(ctx, in, "INBOX", 1, 8, false); err != nil {
		t.Fatal(err)
	}
	news, err := q.List(ctx, StatusNew)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range news {
		got = append(got, fmt.Sprint(n.ID, n.Subject))
	}
	if want := []string{"1S0", "2S3", "3S7"}; !slices.Equal(got, want) {
		t.Errorf("questions = %v, want %v", got, want)
	}
	other, err := q.List(ctx, StatusIgnored)
	if err != nil || len(other) != 5 || other[0].ID != 1 || other[0].Kind != KindBounce || other[4].ID != 5 || other[4].Kind != KindOwn {
		t.Fatalf("other mail = %+v, %v", other, err)
	}
	if all, _ := q.List(ctx, ""); len(all) != 8 || all[1].Status != StatusIgnored || all[1].Subject != "S1" {
		t.Errorf("List all: %d, second %+v", len(all), all[1])
	}
	if m, err := q.Other(ctx, 2); err != nil || m.Kind != KindAutoReply || m.Subject != "S2" {
		t.Errorf("Other(2) = %+v, %v", m, err)
	}
	// The same messages again (a changed UIDVALIDITY): nothing stored twice.
	added, err := q.Add(ctx, in, "INBOX", 2, 8, false)
	if err != nil || slices.Contains(added, true) {
		t.Errorf("adding again = %v, %v", added, err)
	}
	known, err := q.Known(ctx, []string{"k0", "k1", "k9"})
	if err != nil || !known["k0"] || !known["k1"] || known["k9"] {
		t.Errorf("Known = %v, %v", known, err)
	}
}

// Previews reads a bounded start of each question's text, whole
// characters only, and says how much was left out.
func TestPreviews(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	long := strings.Repeat("é東", 1000) // 5,000 bytes; 2- and 3-byte characters
	_, err := q.Add(ctx, []Incoming{
		{Question: Question{Status: StatusNew, MessageKey: "a", Subject: "Long", Text: long, Received: now}, Mailbox: "INBOX", UIDValidity: 1, UID: 1},
		{Question: Question{Status: StatusNew, MessageKey: "b", Subject: "Short", Text: "short", Received: now.Add(time.Minute)}, Mailbox: "INBOX", UIDValidity: 1, UID: 2},
	}, "INBOX", 1, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1000, 1001, 1002, 4999, 5000, 6000} {
		qs, err := q.Previews(ctx, StatusNew, limit)
		if err != nil || len(qs) != 2 {
			t.Fatalf("Previews(%d): %d, %v", limit, len(qs), err)
		}
		got := qs[0]
		if len(got.Text) > limit || len(got.Text) < min(limit, len(long))-2 || !strings.HasPrefix(long, got.Text) {
			t.Errorf("Previews(%d): %d bytes, a prefix: %v", limit, len(got.Text), strings.HasPrefix(long, got.Text))
		}
		if got.TextMore != int64(len(long)-len(got.Text)) {
			t.Errorf("Previews(%d): TextMore %d, want %d", limit, got.TextMore, len(long)-len(got.Text))
		}
		if qs[1].Text != "short" || qs[1].TextMore != 0 || qs[1].Subject != "Short" {
			t.Errorf("Previews(%d) of a short one: %+v", limit, qs[1])
		}
	}
}

func newQueue(t testing.TB) *Queue {
	t.Helper()
	db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "mailbag.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := NewQueue(context.Background(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// A reply to a question still waiting joins it as a follow-up; a reply to
// one answered or set aside is a question again, with its thread, and a
// reply to that joins it.
func TestRepliesToClosedQuestionsAreQuestions(t *testing.T) {
	ctx := context.Background()
	q := newQueue(t)
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	in := func(uid uint32, key, ref string) Incoming {
		var refs []string
		if ref != "" {
			refs = []string{ref}
		}
		return Incoming{Question: Question{Status: StatusNew, MessageKey: key, Subject: key, FromAddr: "ana@example.net", Received: now},
			Mailbox: "INBOX", UIDValidity: 1, UID: uid, Refs: refs}
	}
	add := func(i Incoming) *Question {
		t.Helper()
		qs := []Incoming{i}
		if _, err := q.Add(ctx, qs, "INBOX", 1, i.UID, false); err != nil {
			t.Fatal(err)
		}
		all, err := q.List(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return all[len(all)-1]
	}
	root := add(in(1, "q1", ""))
	if f := add(in(2, "f1", "q1")); f.Kind != KindFollowUp || f.Thread != root.ID {
		t.Errorf("a reply to a waiting question: %+v", f)
	}
	if err := q.Reject(ctx, root.ID, "off topic"); err != nil {
		t.Fatal(err)
	}
	again := add(in(3, "r1", "q1"))
	if again.Status != StatusNew || again.Kind != "" || again.Thread != root.ID {
		t.Errorf("a reply to a question set aside: %+v; want a new question following %d", again, root.ID)
	}
	if f := add(in(4, "f2", "r1")); f.Kind != KindFollowUp || f.Thread != again.ID {
		t.Errorf("a reply to that question: %+v; want its follow-up", f)
	}
}
