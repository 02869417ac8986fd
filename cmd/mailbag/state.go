package main

import (
	"context"
	"database/sql"

	"mailbag/ingest"
	"mailbag/internal/sqlitedb"
)

// openDB opens the newsletter's state database; the caller closes it.
func (n *newsletter) openDB() (*sql.DB, error) {
	return sqlitedb.Open(n.home.Database())
}

// openQueue opens the state database and the question queue in it.
func (n *newsletter) openQueue(ctx context.Context) (*sql.DB, *ingest.Queue, error) {
	db, err := n.openDB()
	if err != nil {
		return nil, nil, err
	}
	q, err := ingest.NewQueue(ctx, db, nil)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, q, nil
}
