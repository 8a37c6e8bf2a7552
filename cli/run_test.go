package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// ids lists the _ids left in a collection, sorted.
func (f fixture) ids(coll string) string {
	f.t.Helper()
	cur, err := mongotest.Client(f.t).Database(f.db).Collection(coll).Find(context.Background(), map[string]any{})
	if err != nil {
		f.t.Fatal(err)
	}
	var docs []struct {
		ID int `bson:"_id"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		f.t.Fatal(err)
	}
	var out []int
	for _, d := range docs {
		out = append(out, d.ID)
	}
	sort.Ints(out)
	return fmt.Sprint(out)
}

func (f fixture) indexes(coll string) []model.Index {
	f.t.Helper()
	c, err := mongo.Connect(context.Background(), f.uri, mongo.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	defer c.Close(context.Background())
	ixs, err := c.Indexes(context.Background(), model.Namespace{DB: f.db, Coll: coll})
	if err != nil {
		f.t.Fatal(err)
	}
	return ixs
}

func TestApplyRunsThePlanWithBackup(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "last", "--out", plan); status != 0 {
		t.Fatal(errOut)
	}
	backup := filepath.Join(dir, "backups")
	out, errOut, status := dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", backup, "--ns", f.ns("users"), "--yes")
	if status != 0 {
		t.Fatalf("status %d: %s%s", status, out, errOut)
	}
	mustContain(t, "apply", out, "deleted 3 documents from "+f.ns("users"), "backup: "+backup, "manifest: ",
		"to undo: dupes restore --uri "+model.ShellQuote(f.uri)+" --ns "+f.ns("users")+" --backup "+backup)
	if got := f.ids("users"); got != "[3 5 6]" {
		t.Fatalf("left %s, want the last of each group and the unique one: [3 5 6]", got)
	}
	files, _ := filepath.Glob(filepath.Join(backup, f.ns("users")+".*.bson"))
	if len(files) != 1 {
		t.Fatalf("backup files: %v", files)
	}
	if st, _ := os.Stat(files[0]); st.Size() == 0 || st.Mode().Perm() != 0o600 {
		t.Errorf("backup %s: size %d mode %v", files[0], st.Size(), st.Mode())
	}
}

func TestApplySkipsWhatChangedSinceThePlan(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first", "--out", plan); status != 0 {
		t.Fatal(errOut)
	}
	// Document 2 stops being a duplicate between plan and apply.
	if _, err := mongotest.Client(t).Database(f.db).Collection("users").UpdateOne(context.Background(),
		map[string]any{"_id": 2}, map[string]any{"$set": map[string]any{"email": "moved"}}); err != nil {
		t.Fatal(err)
	}
	out, errOut, status := dupes(t, "apply", "--uri", f.uri, "--plan", plan, "--backup", dir, "--yes")
	if status != 0 {
		t.Fatalf("status %d: %s%s", status, out, errOut)
	}
	mustContain(t, "apply", out, "deleted 2 documents", "skipped 1 (1 key changed: not deleted)", `group "a": kept 2: key changed`)
	if got := f.ids("users"); got != "[1 2 4 6]" {
		t.Fatalf("left %s, want [1 2 4 6]", got)
	}
}

func TestResolveDeletesThenBuildsTheIndex(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	backup := t.TempDir()
	out, errOut, status := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "max:n",
		"--backup", backup, "--yes", "--create-index")
	if status != 0 {
		t.Fatalf("status %d: %s%s", status, out, errOut)
	}
	mustContain(t, "resolve", out, "2 groups: keep one document each, delete 3", "deleted 3 documents",
		"unique index email_1_present built on "+f.ns("users"))
	if got := f.ids("users"); got != "[2 4 6]" {
		t.Fatalf("left %s, want [2 4 6]", got)
	}
	unique := false
	for _, ix := range f.indexes("users") {
		unique = unique || (ix.Name == "email_1_present" && ix.Unique)
	}
	if !unique {
		t.Fatalf("no unique email_1_present index: %+v", f.indexes("users"))
	}
	out, _, _ = dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email")
	mustContain(t, "scan after resolve", out, "no duplicates.")
}

// Duplicates the cleanup did not touch (here outside --filter) block the index: the
// server's refusal is reported with the colliding key and a re-scan command.
func TestResolveCreateIndexMeetsRemainingDuplicates(t *testing.T) {
	f := newFixture(t)
	usersWithDupes(f)
	out, errOut, status := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first",
		"--filter", `{"_id": {"$lte": 3}}`, "--backup", t.TempDir(), "--yes", "--create-index")
	if status != 1 {
		t.Fatalf("status %d: %s%s", status, out, errOut)
	}
	mustContain(t, "resolve", out, "deleted 2 documents")
	example := ` (for example { email: "b" })`
	if e := testEngine(t); e.Name == mongo.EngineFerretDB {
		example = "" // its refusal ("could not create exclusion constraint") names no key
	}
	mustContain(t, "resolve error", errOut, "--ignore-case, --trim and --filter have no part in it",
		"unique index email_1_present on "+f.ns("users")+" not built: duplicates exist again"+example+";",
		"scan again: dupes scan --ns "+f.ns("users")+" --key email")
	if got := f.ids("users"); got != "[1 4 5 6]" {
		t.Fatalf("left %s", got)
	}
}

func TestResolveLooseAndArrayKeys(t *testing.T) {
	f := newFixture(t)
	f.insert("users",
		map[string]any{"_id": 1, "email": "A@x.com"},
		map[string]any{"_id": 2, "email": "a@X.com"},
		map[string]any{"_id": 3, "email": "b@x.com"},
	)
	out, errOut, status := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--ignore-case",
		"--keep", "last", "--backup", t.TempDir(), "--yes")
	if status != 0 {
		t.Fatalf("status %d: %s%s", status, out, errOut)
	}
	if got := f.ids("users"); got != "[2 3]" {
		t.Fatalf("ignore-case resolve left %s", got)
	}
	f.insert("posts",
		map[string]any{"_id": 1, "tags": []any{"a", "b"}},
		map[string]any{"_id": 2, "tags": []any{"b", "c"}},
		map[string]any{"_id": 3, "tags": []any{"x", "x"}},
		map[string]any{"_id": 4, "tags": []any{}},
		map[string]any{"_id": 5, "tags": []any{}},
		map[string]any{"_id": 6},
	)
	out, errOut, status = dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("posts"), "--key", "tags",
		"--keep", "first", "--backup", t.TempDir(), "--yes")
	if status != 0 {
		t.Fatalf("status %d: %s%s", status, out, errOut)
	}
	want := "[1 3 4 6]"
	if mongotest.JavaServer() {
		// It finds a document holding an empty array unequal to itself, so the delete guard
		// keeps 5 (mongo.TestExecuteGuardEmptyArray).
		want = "[1 3 4 5 6]"
	}
	if got := f.ids("posts"); got != want {
		t.Fatalf("array resolve left %s, want %s\n%s", got, want, out)
	}
}

func TestResolveNothingToDoStillBuildsTheIndex(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": 1, "email": "a"}, map[string]any{"_id": 2, "email": "b"})
	out, errOut, status := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--keep", "first",
		"--backup", t.TempDir(), "--yes", "--create-index")
	if status != 0 {
		t.Fatalf("status %d: %s%s", status, out, errOut)
	}
	mustContain(t, "resolve", out, "no duplicates: the plan deletes nothing", "unique index email_1_present built")
	if strings.Contains(out, "backup:") {
		t.Errorf("an empty run claims a backup:\n%s", out)
	}
}

// --index carries the index's options into the cleanup; building the unique index over an
// existing non-unique one of the same name is the server's call, reported as it answers.
func TestResolveFromAnIndex(t *testing.T) {
	f := newFixture(t)
	f.insert("users",
		map[string]any{"_id": 1, "email": "a"},
		map[string]any{"_id": 2, "email": "a"},
		map[string]any{"_id": 3},
		map[string]any{"_id": 4},
	)
	f.createIndex("users", indexSpec{Key: map[string]int{"email": 1}, Name: "email_sparse", Sparse: true})
	out, errOut, status := dupes(t, "resolve", "--uri", f.uri, "--ns", f.ns("users"), "--index", "email_sparse", "--keep", "last",
		"--backup", t.TempDir(), "--yes", "--create-index")
	t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
	mustContain(t, "resolve --index", out, "index-exact (email_sparse); sparse", "1 groups: keep one document each, delete 1", "deleted 1 documents")
	if got := f.ids("users"); got != "[2 3 4]" {
		t.Fatalf("left %s: the sparse index ignores the documents lacking email", got)
	}
	// A real server refuses (IndexOptionsConflict); mongo-java-server answers ok and keeps the
	// old index: either way dupes must not claim a unique index.
	if status != 1 || strings.Contains(out, "built") {
		t.Fatalf("a unique index was claimed over the non-unique email_sparse: status %d", status)
	}
	mustContain(t, "index conflict", errOut, "create unique index email_sparse on "+f.ns("users"))
}

func TestScanTrimCommand(t *testing.T) {
	f := newFixture(t)
	f.insert("users", map[string]any{"_id": 1, "email": " a@x.com"}, map[string]any{"_id": 2, "email": "a@x.com "})
	out, errOut, status := dupes(t, "scan", "--uri", f.uri, "--ns", f.ns("users"), "--key", "email", "--trim")
	if mongotest.JavaServer() {
		t.Logf("mongo-java-server has no $trim (status %d: %s): the trimmed grouping is checked only against MONGODB_URI", status, strings.TrimSpace(errOut))
		if status != 1 || !strings.Contains(errOut, "scan "+f.ns("users")) {
			t.Errorf("the server's refusal is not reported as a scan error: %d %q", status, errOut)
		}
		return
	}
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	mustContain(t, "trim", out, "semantics: exact; missing = null; trim whitespace", `2      "a@x.com"  1, 2`)
}
