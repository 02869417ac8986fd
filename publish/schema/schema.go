// Package schema is the one migration history of the publish tables: the
// subscriber list, confirmations and soft failures (publish/mailinglist),
// deliveries, report effects, acknowledgements and notifications
// (publish/delivery), and the schedule (publish). The tables grew
// together, recorded as one component, "publish", in schema_versions, so
// they migrate together; each package owns the queries on its own.
package schema

import (
	"context"
	"database/sql"
	"embed"

	"mailbag/internal/sqlitedb"
)

//go:embed schema*.sql
var schemaFiles embed.FS

// migrations are the schema versions, in order.
var migrations = sqlitedb.Versions(schemaFiles)

// Migrate creates or upgrades the publish tables in db.
func Migrate(ctx context.Context, db *sql.DB) error {
	return sqlitedb.Migrate(ctx, db, "publish", migrations)
}
