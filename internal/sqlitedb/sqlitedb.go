// Package sqlitedb opens the state database (.mailbag/mailbag.db, SQLite
// through the pure-Go modernc.org/sqlite driver, in WAL mode) and applies
// each package's schema migrations.
//
// The database is opened once, by cmd/mailbag, and handed to the packages
// that own tables; each package keeps its own migrations (SQL embedded in
// its binary) and its own queries. This package knows no table but its own
// record of which migrations ran.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"

	"modernc.org/sqlite" // the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Open opens (creating it if need be) the SQLite database at path, with
// write-ahead logging, foreign keys, and a busy timeout so that two
// processes writing at once wait for each other instead of failing.
//
// Commits are synchronous=NORMAL, as SQLite advises for WAL: a committed
// transaction survives the process being killed at any moment; only a power
// loss or an operating system crash may undo the last ones. That keeps a
// commit per message cheap, which the sender's exactly-once record needs.
func Open(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(ON)&_pragma=busy_timeout(10000)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	return db, nil
}

// Migrate brings the tables of component (a package name: "ingest") up to
// date: migrations[i] is the SQL that takes its schema from version i to
// i+1, and each runs once, in a transaction with the record that it ran. A
// database whose schema for component is newer than the migrations this
// binary knows is an error: an older mailbag must not write to it.
func Migrate(ctx context.Context, db *sql.DB, component string, migrations []string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_versions (
		component TEXT PRIMARY KEY,
		version   INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlitedb: migrate %s: %w", component, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitedb: migrate %s: %w", component, err)
	}
	defer tx.Rollback()
	var version int
	err = tx.QueryRowContext(ctx, `SELECT version FROM schema_versions WHERE component = ?`, component).Scan(&version)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("sqlitedb: migrate %s: %w", component, err)
	}
	if version > len(migrations) {
		return fmt.Errorf("sqlitedb: the %s tables are at version %d, newer than this mailbag knows (%d): upgrade mailbag", component, version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("sqlitedb: migrate %s to version %d: %w", component, i+1, err)
		}
	}
	if version == len(migrations) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_versions (component, version) VALUES (?, ?)
		ON CONFLICT (component) DO UPDATE SET version = excluded.version`, component, len(migrations)); err != nil {
		return fmt.Errorf("sqlitedb: migrate %s: %w", component, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlitedb: migrate %s: %w", component, err)
	}
	return nil
}

// WriteFailed reports whether err is SQLite failing to write its files:
// the disk full (SQLITE_FULL) or an I/O error (SQLITE_IOERR, which is
// what a full disk gives when the write-ahead log cannot grow).
func WriteFailed(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	primary := se.Code() & 0xff
	return primary == sqlite3.SQLITE_FULL || primary == sqlite3.SQLITE_IOERR
}

// Versions returns the schema versions in files, in order: schema.sql,
// then schema_v2.sql, schema_v3.sql and on. A package embeds its
// schema*.sql files and hands Migrate what this returns. A gap in the
// numbers is a mistake in the program: it panics, so that any test
// finds it.
func Versions(files fs.FS) []string {
	names, _ := fs.Glob(files, "schema*.sql")
	out := make([]string, len(names))
	for i := range out {
		name := "schema.sql"
		if i > 0 {
			name = fmt.Sprintf("schema_v%d.sql", i+1)
		}
		b, err := fs.ReadFile(files, name)
		if err != nil {
			panic(fmt.Sprintf("sqlitedb: %d schema files, but no %s", len(names), name))
		}
		out[i] = string(b)
	}
	return out
}
