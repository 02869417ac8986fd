package sqlitedb

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v1 := []string{"CREATE TABLE a (x INTEGER); CREATE TABLE b (y TEXT);"}
	if err := Migrate(ctx, db, "test", v1); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db, "test", v1); err != nil {
		t.Fatalf("running the same migrations again: %v", err)
	}
	v2 := append(v1, "ALTER TABLE a ADD COLUMN z TEXT NOT NULL DEFAULT '';")
	if err := Migrate(ctx, db, "test", v2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO a (x, z) VALUES (1, 'ok'); INSERT INTO b (y) VALUES ('ok')"); err != nil {
		t.Errorf("the migrated tables: %v", err)
	}
	// An older binary must not touch a newer schema.
	if err := Migrate(ctx, db, "test", v1); err == nil || !strings.Contains(err.Error(), "newer than this mailbag knows") {
		t.Errorf("Migrate with fewer migrations = %v", err)
	}
	// A failing migration changes nothing.
	bad := append(v2, "CREATE TABLE c (w INTEGER); THIS IS NOT SQL;")
	if err := Migrate(ctx, db, "test", bad); err == nil {
		t.Fatal("a broken migration succeeded")
	}
	if _, err := db.Exec("INSERT INTO c (w) VALUES (1)"); err == nil {
		t.Error("table c exists after its migration failed")
	}
	var version int
	if err := db.QueryRow("SELECT version FROM schema_versions WHERE component = 'test'").Scan(&version); err != nil || version != 2 {
		t.Errorf("version = %d, %v; want 2", version, err)
	}
}

// Versions reads schema.sql, schema_v2.sql, ... in order (v10 after v9,
// not after v1), and a gap in the numbers panics.
func TestVersions(t *testing.T) {
	files := fstest.MapFS{}
	for v := 1; v <= 11; v++ {
		name := "schema.sql"
		if v > 1 {
			name = fmt.Sprintf("schema_v%d.sql", v)
		}
		files[name] = &fstest.MapFile{Data: []byte(fmt.Sprint("v", v))}
	}
	got := Versions(files)
	if len(got) != 11 || got[0] != "v1" || got[9] != "v10" || got[10] != "v11" {
		t.Errorf("Versions = %q", got)
	}
	delete(files, "schema_v7.sql")
	defer func() {
		if recover() == nil {
			t.Error("no panic for a gap in the versions")
		}
	}()
	Versions(files)
}
