package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"

	"mailbag/internal/sqlitedb"
	"mailbag/internal/visible"
	"mailbag/publish/mailinglist"
	"mailbag/questions"
)

// openDB opens the newsletter's state database; the caller closes it.
func (n *newsletter) openDB() (*sql.DB, error) {
	return sqlitedb.Open(n.home.Database())
}

// withQueue finds the home and runs f with its question queue.
func (a *app) withQueue(ctx context.Context, f func(n *newsletter, q *questions.Queue) error) error {
	return a.withDB(ctx, func(n *newsletter, db *sql.DB) error {
		q, err := questions.NewQueue(ctx, db, a.now)
		if err != nil {
			return err
		}
		return f(n, q)
	})
}

// withSubscribers finds the home and runs f with its subscriber list.
func (a *app) withSubscribers(ctx context.Context, f func(n *newsletter, s *mailinglist.Subscribers) error) error {
	return a.withDB(ctx, func(n *newsletter, db *sql.DB) error {
		s, err := mailinglist.NewSubscribers(ctx, db, a.now)
		if err != nil {
			return err
		}
		return f(n, s)
	})
}

// withDB finds the home and runs f with its state database open.
func (a *app) withDB(_ context.Context, f func(n *newsletter, db *sql.DB) error) error {
	n, err := a.open()
	if err != nil {
		return err
	}
	db, err := n.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	return f(n, db)
}

// writeJSON prints v as indented JSON, HTML characters as they are: the
// --json output of every command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(visible.JSONWriter{W: w}) // controls as \u escapes, not shown as text

	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
