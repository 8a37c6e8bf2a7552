package mongo_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// planFor scans a collection and keeps the first member (smallest _id) of every group.
func planFor(t *testing.T, c *mongo.Client, ns model.Namespace, key model.Key) model.Plan {
	t.Helper()
	p := model.Plan{Version: model.PlanVersion, NS: ns, Key: key, Rule: "first", CreatedAt: time.Now()}
	for _, g := range scanAll(t, c, ns, key) {
		p.Groups = append(p.Groups, model.Decide(g, 0, model.ByRule))
	}
	if len(p.Groups) == 0 {
		t.Fatalf("scan of %s found no groups", ns)
	}
	return p
}

// users inserts n groups of size members each: _id g*100+m, email "u<g>@x.com".
func users(t *testing.T, db string, groups, size int) {
	t.Helper()
	var docs []bson.D
	for g := 1; g <= groups; g++ {
		for m := 0; m < size; m++ {
			docs = append(docs, bson.D{
				{Key: "_id", Value: int32(g*100 + m)},
				{Key: "email", Value: "u" + strconv.Itoa(g) + "@x.com"},
				{Key: "n", Value: int32(m)},
			})
		}
	}
	// One document with no duplicate.
	docs = append(docs, bson.D{{Key: "_id", Value: int32(99999)}, {Key: "email", Value: "alone@x.com"}})
	insert(t, db, "users", docs...)
}

// rawDocs reads a collection's documents as raw BSON by canonical _id.
func rawDocs(t *testing.T, db, coll string) map[string]bson.Raw {
	t.Helper()
	ctx := context.Background()
	cur, err := mongotest.Client(t).Database(db).Collection(coll).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	defer cur.Close(ctx)
	out := map[string]bson.Raw{}
	for cur.Next(ctx) {
		d := append(bson.Raw(nil), cur.Current...)
		out[canonID(d)] = d
	}
	if err := cur.Err(); err != nil {
		t.Fatalf("find: %v", err)
	}
	return out
}

func canonID(d bson.Raw) string {
	id := d.Lookup("_id")
	js, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: id}}, true, false)
	if err != nil {
		panic(err)
	}
	s := string(js)
	return s[len(`{"v":`) : len(s)-1]
}

// backupDocs reads every record of a backup file, failing on any damage.
func backupDocs(t *testing.T, path string) []bson.Raw {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer f.Close()
	br := mongo.NewBackupReader(f, path)
	var out []bson.Raw
	for {
		d, err := br.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("backup: %v", err)
		}
		out = append(out, d)
	}
}

func ids(docs []bson.Raw) []string {
	var out []string
	for _, d := range docs {
		out = append(out, canonID(d))
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]bson.Raw) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func intIDs(ns ...int) []string {
	var out []string
	for _, n := range ns {
		out = append(out, `{"$numberInt":"`+strconv.Itoa(n)+`"}`)
	}
	sort.Strings(out)
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestExecuteDeletesAndBacksUp(t *testing.T) {
	c, db := connect(t)
	users(t, db, 3, 3) // groups 1..3, members x00 x01 x02
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	dir := t.TempDir()
	var progress []model.Progress
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{
		BackupDir: dir, BatchSize: 2,
		Progress: func(p model.Progress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	if rep.Deleted != 6 || rep.SkippedDocs != 0 || rep.FailedGroups != 0 || rep.NotReached != 0 || rep.Cancelled {
		t.Fatalf("report: %+v", rep)
	}
	for _, g := range rep.Groups {
		if g.Outcome != model.Deleted || g.Deleted != 2 {
			t.Errorf("group %d: %+v", g.Group, g)
		}
	}
	after := rawDocs(t, db, "users")
	if got, want := keys(after), intIDs(100, 200, 300, 99999); !equal(got, want) {
		t.Fatalf("remaining %v, want %v", got, want)
	}
	// The backup holds exactly the deleted documents, byte for byte as they were.
	backed := backupDocs(t, rep.BackupPath)
	if got, want := ids(backed), intIDs(101, 102, 201, 202, 301, 302); !equal(got, want) {
		t.Fatalf("backup holds %v, want %v", got, want)
	}
	for _, d := range backed {
		if string(d) != string(before[canonID(d)]) {
			t.Errorf("backup of %s differs from the document before", canonID(d))
		}
	}
	if len(progress) != 2 || progress[1].GroupsDone != 3 || progress[1].DocsDeleted != 6 || progress[1].DocsTotal != 6 {
		t.Errorf("progress: %+v", progress)
	}
	// File names, modes and the manifest.
	if filepath.Dir(rep.BackupPath) != dir || !strings.HasPrefix(filepath.Base(rep.BackupPath), ns.String()+".") ||
		!strings.HasSuffix(rep.BackupPath, ".bson") {
		t.Errorf("backup path %s", rep.BackupPath)
	}
	for _, p := range []string{rep.BackupPath, rep.ManifestPath} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, st.Mode().Perm())
		}
	}
	m, err := mongo.ReadManifest(rep.ManifestPath)
	if err != nil {
		t.Fatal(err)
	}
	if m.NS != ns || m.PlanDigest != plan.Digest() || m.Status != mongo.RunDone || m.Counts.Deleted != 6 ||
		m.Counts.BackedUp != 6 || m.Counts.Groups != 3 || m.Rule != "first" || m.Backup != filepath.Base(rep.BackupPath) {
		t.Errorf("manifest: %+v", m)
	}
}

func TestExecuteReadOnly(t *testing.T) {
	db := mongotest.DB(t)
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	users(t, db.Name(), 1, 2)
	ns := model.Namespace{DB: db.Name(), Coll: "users"}
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: model.Key{Fields: []string{"email"}},
		Groups: []model.PlanGroup{{Key: []model.Value{`"u1@x.com"`}, Keep: `{"$numberInt":"100"}`, Delete: []model.Value{`{"$numberInt":"101"}`}}}}
	dir := t.TempDir()
	if _, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir}); !errors.Is(err, mongo.ErrReadOnly) {
		t.Fatalf("execute on a read-only client: %v", err)
	}
	if n := len(rawDocs(t, db.Name(), "users")); n != 3 {
		t.Fatalf("read-only execute changed the collection: %d documents", n)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("read-only execute wrote %d files", len(entries))
	}
}
