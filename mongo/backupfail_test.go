package mongo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// failFixture is a collection of 3 groups of 2 and the plan that keeps the first of each.
func failFixture(t *testing.T) (*Client, model.Plan, func() int64) {
	t.Helper()
	db := mongotest.DB(t)
	ctx := context.Background()
	var docs []any
	for g := 1; g <= 3; g++ {
		for m := 0; m < 2; m++ {
			docs = append(docs, bson.D{{Key: "_id", Value: int32(g*10 + m)}, {Key: "k", Value: int32(g)}})
		}
	}
	if _, err := db.Collection("c").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	c, err := Connect(ctx, mongotest.URI(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	ns := model.Namespace{DB: db.Name(), Coll: "c"}
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: model.Key{Fields: []string{"k"}}, CreatedAt: time.Now()}
	for g := 1; g <= 3; g++ {
		plan.Groups = append(plan.Groups, model.PlanGroup{
			Key:    []model.Value{model.Value(`{"$numberInt":"` + itoa(g) + `"}`)},
			Keep:   model.Value(`{"$numberInt":"` + itoa(g*10) + `"}`),
			Delete: []model.Value{model.Value(`{"$numberInt":"` + itoa(g*10+1) + `"}`)},
		})
	}
	count := func() int64 {
		n, err := db.Collection("c").CountDocuments(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return c, plan, count
}

// unwritableDir makes a directory nobody can create files in, root included (root ignores
// permission bits, so it also gets the immutable attribute).
func unwritableDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
			t.Fatalf("cannot make %s unwritable for root: %v %s", dir, err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
	}
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatalf("%s is still writable", dir)
	}
	return dir
}

// TestExecuteBackupFailures makes the backup impossible in each way a disk can refuse it: the
// run must stop with a clear error before deleting anything.
func TestExecuteBackupFailures(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opt  func(t *testing.T) ExecOptions
		want string // in the error
	}{
		{"unwritable directory", func(t *testing.T) ExecOptions {
			return ExecOptions{BackupDir: unwritableDir(t)}
		}, "backup directory"},
		{"unwritable parent", func(t *testing.T) ExecOptions {
			return ExecOptions{BackupDir: filepath.Join(unwritableDir(t), "sub")}
		}, "backup directory"},
		{"the backup directory is a file", func(t *testing.T) ExecOptions {
			return ExecOptions{BackupDir: file}
		}, "not a directory"},
		{"no backup directory", func(t *testing.T) ExecOptions {
			return ExecOptions{}
		}, "never deletes without a backup"},
		{"disk full (/dev/full)", func(t *testing.T) ExecOptions {
			return ExecOptions{BackupDir: t.TempDir(), backupPath: "/dev/full"}
		}, "no space left on device"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, plan, count := failFixture(t)
			rep, err := c.Execute(context.Background(), plan, tc.opt(t))
			if err == nil {
				t.Fatalf("execute succeeded: %+v", rep)
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if n := count(); n != 6 {
				t.Fatalf("%d documents left of 6: something was deleted", n)
			}
			if rep.Deleted != 0 {
				t.Errorf("report says %d deleted", rep.Deleted)
			}
			for _, g := range rep.Groups {
				if g.Outcome != model.Failed && g.Outcome != model.NotReached {
					t.Errorf("group %d: %s", g.Group+1, g.Outcome)
				}
			}
		})
	}
}

// TestExecuteRefusesAView runs a plan against a real view: the server must list it as one, and
// Execute must refuse it without writing.
func TestExecuteRefusesAView(t *testing.T) {
	c, plan, count := failFixture(t)
	ctx := context.Background()
	if e, err := c.Engine(ctx); err != nil {
		t.Fatal(err)
	} else if !e.Views {
		mongotest.Skipf(t, "%s has no views (createView makes a plain collection, listed as one): "+
			"view refusal is checked through CanDelete in TestExecuteRefusesCollections", e)
	}
	if err := mongotest.Client(t).Database(plan.NS.DB).CreateView(ctx, "v", plan.NS.Coll, bson.A{}); err != nil {
		t.Fatalf("create view: %v", err)
	}
	view := plan
	view.NS.Coll = "v"
	if _, err := c.Execute(ctx, view, ExecOptions{BackupDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "view") {
		t.Errorf("view: %v", err)
	}
	if n := count(); n != 6 {
		t.Fatalf("%d documents left of 6", n)
	}
}

// TestExecuteRefusesCollections checks that nothing but a plain collection is written to.
func TestExecuteRefusesCollections(t *testing.T) {
	c, plan, count := failFixture(t)
	ctx := context.Background()
	missing := plan
	missing.NS.Coll = "nope"
	if _, err := c.Execute(ctx, missing, ExecOptions{BackupDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no such collection") {
		t.Errorf("missing collection: %v", err)
	}
	for _, col := range []model.Collection{
		{NS: plan.NS, Type: model.TypeView},
		{NS: plan.NS, Type: model.TypeTimeseries},
		{NS: model.Namespace{DB: "d", Coll: "system.users"}, Type: model.TypeCollection},
		{NS: plan.NS, Type: model.TypeCollection, Capped: true},
	} {
		if col.CanDelete() == nil {
			t.Errorf("%+v is deletable", col)
		}
	}
	if n := count(); n != 6 {
		t.Fatalf("%d documents left of 6", n)
	}
	bad := plan
	bad.Groups = append([]model.PlanGroup(nil), plan.Groups...)
	bad.Groups[0].Delete = []model.Value{plan.Groups[0].Keep}
	if _, err := c.Execute(ctx, bad, ExecOptions{BackupDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "keeper") {
		t.Errorf("a plan deleting its keeper: %v", err)
	}
}
