package mongo_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// nothingRun runs, in dir, a plan of coll whose duplicates are gone before it runs: a run that
// deletes nothing. It returns the run's manifest path.
func nothingRun(t *testing.T, c *mongo.Client, db, name, dir string) string {
	t.Helper()
	ctx := context.Background()
	insert(t, db, name, bson.D{{Key: "_id", Value: int32(1)}, {Key: "k", Value: 1}}, bson.D{{Key: "_id", Value: int32(2)}, {Key: "k", Value: 1}})
	ns := model.Namespace{DB: db, Coll: name}
	plan := planFor(t, c, ns, model.Key{Fields: []string{"k"}})
	if _, err := coll(t, db, name).DeleteOne(ctx, bson.D{{Key: "_id", Value: int32(2)}}); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir})
	if err != nil || rep.Deleted != 0 || rep.SkippedDocs != 1 {
		t.Fatalf("run that deletes nothing: %v %+v", err, rep)
	}
	if _, err := os.Stat(rep.BackupPath); !os.IsNotExist(err) {
		t.Fatalf("a run that deleted nothing wrote its backup %s (%v)", rep.BackupPath, err)
	}
	m, err := mongo.ReadManifest(rep.ManifestPath)
	if err != nil || m.Counts.BackedUp != 0 || m.Undo != "" {
		t.Fatalf("manifest of a run that deleted nothing: %v %+v", err, m)
	}
	// The same plan again resumes that run: no backup file to continue is no refusal.
	if _, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir}); err != nil {
		t.Fatalf("the same plan again: %v", err)
	}
	return rep.ManifestPath
}

// TestRestoreFolderWithRunsThatDeletedNothing: a folder holds a run that deleted documents, a
// run that deleted nothing (no backup file, a manifest saying so) and an empty backup an older
// dupes wrote for such a run. The folder restores, the dry run's total is what is inserted, and
// the manifest of the empty run alone has nothing to restore.
func TestRestoreFolderWithRunsThatDeletedNothing(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	dir := t.TempDir()
	users(t, db, 2, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	rep, err := c.Execute(ctx, planFor(t, c, ns, model.Key{Fields: []string{"email"}}), mongo.ExecOptions{BackupDir: dir})
	if err != nil || rep.Deleted != 2 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	manifest := nothingRun(t, c, db, "other", dir)
	// An empty backup, as an older dupes left for a run that deleted nothing.
	m, err := mongo.ReadManifest(manifest)
	if err != nil {
		t.Fatal(err)
	}
	m.Backup = db + ".other.20200101T000000Z.bson"
	if err := os.WriteFile(filepath.Join(dir, m.Backup), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, db+".other.20200101T000000Z.json"), js, 0o600); err != nil {
		t.Fatal(err)
	}

	dry, err := c.Restore(ctx, dir, mongo.RestoreOptions{DryRun: true})
	if err != nil {
		t.Fatalf("dry run of the folder: %v", err)
	}
	nothing := 0
	for _, f := range dry.Files {
		if f.Nothing != "" {
			nothing++
			t.Logf("%s: nothing to restore: %s", filepath.Base(f.Path), f.Nothing)
		}
	}
	if dry.Inserted != 2 || len(dry.Files) != 3 || nothing != 2 {
		t.Fatalf("dry run: %+v", dry)
	}
	res, err := c.Restore(ctx, dir, mongo.RestoreOptions{})
	if err != nil || res.Inserted != dry.Inserted || res.Failed != 0 {
		t.Fatalf("restore of the folder: %v %+v (the dry run said %d)", err, res, dry.Inserted)
	}
	if n := len(rawDocs(t, db, "users")); n != 5 {
		t.Fatalf("%d users after the restore, want 5", n)
	}
	one, err := c.Restore(ctx, manifest, mongo.RestoreOptions{})
	if err != nil || len(one.Files) != 1 || one.Files[0].Nothing == "" || one.Inserted != 0 {
		t.Fatalf("restore of the manifest of a run that deleted nothing: %v %+v", err, one)
	}
	if !strings.Contains(one.Files[0].Nothing, "deleted nothing") {
		t.Errorf("says %q", one.Files[0].Nothing)
	}
}

// TestRestoreDryRunTotalAcrossBackups: two backups of a folder hold the same document (it was
// deleted, restored and deleted again). The restore inserts it once and finds it in place the
// second time; the dry run must say the same.
func TestRestoreDryRunTotalAcrossBackups(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	users(t, db, 1, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	folder := t.TempDir()
	for run := range 2 {
		dir := t.TempDir()
		rep, err := c.Execute(ctx, planFor(t, c, ns, model.Key{Fields: []string{"email"}}), mongo.ExecOptions{BackupDir: dir})
		if err != nil || rep.Deleted != 1 {
			t.Fatalf("run %d: %v %+v", run, err, rep)
		}
		// Into the folder under names of their own (two runs may share a second).
		base := filepath.Join(folder, db+".users."+string(rune('a'+run)))
		copyFile(t, rep.BackupPath, base+".bson")
		copyFile(t, rep.ManifestPath, base+".json")
		if run == 0 {
			if _, err := c.Restore(ctx, rep.BackupPath, mongo.RestoreOptions{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	dry, err := c.Restore(ctx, folder, mongo.RestoreOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Restore(ctx, folder, mongo.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 1 || res.Existing != 1 || dry.Inserted != res.Inserted || dry.Existing != res.Existing {
		t.Fatalf("dry run would insert %d (%d present), the restore inserted %d (%d present)",
			dry.Inserted, dry.Existing, res.Inserted, res.Existing)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRestoreMergeRunThatMergedNothing: a merging run whose keepers had nothing to gain wrote
// no keepers backup; its deletes restore, with no keeper to put back.
func TestRestoreMergeRunThatMergedNothing(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	users(t, db, 1, 2) // the keeper holds every field its duplicate does
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	plan.Merge = &model.MergeOptions{}
	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 1 || rep.MergedKeepers != 0 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	res, err := c.Restore(ctx, rep.BackupPath, mongo.RestoreOptions{})
	if err != nil || res.Inserted != 1 || res.Files[0].Keepers != nil {
		t.Fatalf("restore: %v %+v", err, res)
	}
}
