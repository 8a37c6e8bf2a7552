package mongo_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// TestBackupNamesStayInTheBackupDirectory: a collection named with "/" and ".." gets its
// backup inside --backup, under one file name that reads back to the namespace; a manifest
// edited to name a backup elsewhere is refused, by the resume and by restore, and the file it
// names is neither read nor written.
func TestBackupNamesStayInTheBackupDirectory(t *testing.T) {
	c, db := connect(t)
	hostile := "a/../../x y"
	users(t, db, 2, 2) // users, then the same documents under the hostile name
	src := coll(t, db, "users")
	cur, err := src.Find(context.Background(), map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []any
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	if _, err := coll(t, db, hostile).InsertMany(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	plan := handPlan(t, db, hostile, model.Key{Fields: []string{"email"}})
	dir := filepath.Join(t.TempDir(), "backups")
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir})
	if err != nil || rep.Deleted != 2 {
		t.Fatalf("run: %v %+v", err, rep)
	}
	if filepath.Dir(rep.BackupPath) != dir {
		t.Fatalf("the backup %s is outside %s", rep.BackupPath, dir)
	}
	name, err := url.PathUnescape(filepath.Base(rep.BackupPath))
	if err != nil || !strings.HasPrefix(name, db+"."+hostile+".") {
		t.Fatalf("the backup's name %s does not read back to the namespace: %q %v", filepath.Base(rep.BackupPath), name, err)
	}

	// A manifest that names a file elsewhere.
	outside := filepath.Join(t.TempDir(), "victim.bson")
	if err := os.WriteFile(outside, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	b, _ := os.ReadFile(rep.ManifestPath)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(dir, outside)
	m["backup"], m["status"] = rel, mongo.RunRunning
	b, _ = json.Marshal(m)
	if err := os.WriteFile(rep.ManifestPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Restore(context.Background(), rep.ManifestPath, mongo.RestoreOptions{DryRun: true}); err == nil ||
		!strings.Contains(err.Error(), "not a file beside it") {
		t.Fatalf("restore followed the manifest out of its folder: %v", err)
	}
	if _, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir}); err == nil ||
		!strings.Contains(err.Error(), "not a file beside it") {
		t.Fatalf("the resume followed the manifest out of its folder: %v", err)
	}
	if got, _ := os.ReadFile(outside); string(got) != "keep me" {
		t.Fatalf("the file the manifest named was written: %q", got)
	}
}
