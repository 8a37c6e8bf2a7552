package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
)

// deletedIntoBackup puts n documents sharing one email in a fresh database's users, runs the
// plan that keeps _id 1 and deletes the others, and returns the database, the server's URI and
// the run's report (its backup holds n-1 documents).
func deletedIntoBackup(t *testing.T, n int) (*driver.Database, string, model.Report) {
	t.Helper()
	db := mongotest.DB(t)
	ctx := context.Background()
	uri := mongotest.URI(t)
	var docs []any
	var deletes []model.Value
	for i := 1; i <= n; i++ {
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "email", Value: "a@x.com"}})
		if i > 1 {
			deletes = append(deletes, model.Value(fmt.Sprintf(`{"$numberInt":"%d"}`, i)))
		}
	}
	if _, err := db.Collection("users").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	c, err := mongo.Connect(ctx, uri, mongo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	plan := model.Plan{Version: model.PlanVersion, NS: model.Namespace{DB: db.Name(), Coll: "users"},
		Key: model.Key{Fields: []string{"email"}}, CreatedAt: time.Now(),
		Groups: []model.PlanGroup{{Key: []model.Value{`"a@x.com"`}, Keep: `{"$numberInt":"1"}`, Delete: deletes}}}
	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != n-1 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	return db, uri, rep
}

// TestRestoreCommand runs `dupes restore` on a real backup: without --yes it changes nothing,
// with --yes it puts the deleted documents back, and --read-only refuses.
func TestRestoreCommand(t *testing.T) {
	db, uri, rep := deletedIntoBackup(t, 3)
	ctx := context.Background()
	users := db.Collection("users")
	count := func() int64 {
		n, err := users.CountDocuments(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	var out bytes.Buffer
	if err := run([]string{"restore", "--uri", uri, "--backup", rep.BackupPath}, &out, &out); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	t.Logf("dry run:\n%s", out.String())
	if !strings.Contains(out.String(), "Dry run") || !strings.Contains(out.String(), "would insert 2") || count() != 1 {
		t.Fatalf("dry run wrote, or did not say so (%d documents):\n%s", count(), out.String())
	}

	out.Reset()
	err := run([]string{"restore", "--uri", uri, "--backup", rep.BackupPath, "--yes", "--read-only"}, &out, &out)
	if !errors.Is(err, mongo.ErrReadOnly) || count() != 1 {
		t.Fatalf("--read-only --yes: %v", err)
	}

	out.Reset()
	if err := run([]string{"restore", "--backup", rep.BackupPath, "--uri", uri, "--yes"}, &out, &out); err != nil {
		t.Fatalf("restore: %v", err)
	}
	t.Logf("restore:\n%s", out.String())
	if !strings.Contains(out.String(), "inserted 2") || count() != 3 {
		t.Fatalf("restore did not put 2 documents back (%d documents):\n%s", count(), out.String())
	}

	out.Reset()
	if err := run([]string{"restore", "--uri", uri, "--backup", rep.BackupPath, "--yes"}, &out, &out); err != nil {
		t.Fatalf("second restore: %v", err)
	}
	if !strings.Contains(out.String(), "2 already in the collection") || count() != 3 {
		t.Fatalf("second restore:\n%s", out.String())
	}
}

func TestRestoreCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"restore"},
		{"restore", "--ns", "nodot", "--backup", "x.bson"},
		{"restore", "--backup", "x.bson", "extra"},
		{"restore", "--bogus"},
	} {
		err := run(args, &bytes.Buffer{}, &bytes.Buffer{})
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
}

// TestRestoreFolderOfRunsThatDeletedNothing: one backup folder, a run that deleted documents
// and one that deleted nothing (it writes no backup file, only its manifest). The folder
// restores; the dry run's total is what is inserted; that manifest alone has nothing to
// restore.
func TestRestoreFolderOfRunsThatDeletedNothing(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	usersWithDupes(f)
	before := f.count("users")
	if out, errOut, st := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first",
		"--backup", dir, "--yes"); st != 0 {
		t.Fatalf("resolve: %d\n%s%s", st, out, errOut)
	}
	deleted := before - f.count("users")
	f.insert("other", map[string]any{"_id": 1, "k": 1}, map[string]any{"_id": 2, "k": 1})
	plan := filepath.Join(t.TempDir(), "p.json")
	if _, errOut, st := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("other"), "--key", "k", "--keep", "first", "--out", plan); st != 0 {
		t.Fatalf("plan: %s", errOut)
	}
	if _, err := mongotest.Client(t).Database(f.db).Collection("other").DeleteOne(context.Background(), bson.D{{Key: "_id", Value: 2}}); err != nil {
		t.Fatal(err)
	}
	if out, errOut, st := dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--yes", "--backup", dir); st != 0 {
		t.Fatalf("apply of a plan whose duplicates are gone: %d\n%s%s", st, out, errOut)
	}
	if bs, _ := filepath.Glob(filepath.Join(dir, "*.other.*.bson")); len(bs) != 0 {
		t.Fatalf("a run that deleted nothing wrote %v", bs)
	}
	manifests, _ := filepath.Glob(filepath.Join(dir, "*.other.*.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests of the run that deleted nothing: %v", manifests)
	}

	out, errOut, st := dupes(t, "restore", "--uri", f.uri, "--backup", dir)
	if st != 0 {
		t.Fatalf("dry run of the folder: %d\n%s%s", st, out, errOut)
	}
	mustContain(t, "dry run", out, "nothing to restore", fmt.Sprintf("Total: would insert %d,", deleted))
	out, errOut, st = dupes(t, "restore", "--uri", f.uri, "--backup", dir, "--yes")
	if st != 0 || f.count("users") != before {
		t.Fatalf("restore of the folder: %d, %d users of %d\n%s%s", st, f.count("users"), before, out, errOut)
	}
	mustContain(t, "restore", out, fmt.Sprintf("Total: inserted %d,", deleted))
	out, errOut, st = dupes(t, "restore", "--uri", f.uri, "--backup", manifests[0], "--yes")
	if st != 0 {
		t.Fatalf("restore of the manifest: %d\n%s%s", st, out, errOut)
	}
	mustContain(t, "restore of the manifest", out, "nothing to restore: its run deleted nothing", "Total: inserted 0,")
	t.Logf("%s", out)
}
