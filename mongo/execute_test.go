package mongo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
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
	if os.IsNotExist(err) {
		return nil // a run that backed up nothing writes no backup file
	}
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

func coll(t *testing.T, db, name string) *mongodriver.Collection {
	return mongotest.Client(t).Database(db).Collection(name)
}

// TestExecuteStalePlan changes the data between planning and applying, in every way that
// makes a planned delete wrong, and checks exactly what remains and what is in the backup.
func TestExecuteStalePlan(t *testing.T) {
	c, db := connect(t)
	users(t, db, 7, 3)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	ctx := context.Background()
	u := coll(t, db, "users")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Group 1: its keeper is deleted.
	must(u.DeleteOne(ctx, bson.D{{Key: "_id", Value: 100}}))
	// Group 2: a member's key changes.
	must(u.UpdateOne(ctx, bson.D{{Key: "_id", Value: 201}}, bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: "moved@x.com"}}}}))
	// Group 3: a member is deleted.
	must(u.DeleteOne(ctx, bson.D{{Key: "_id", Value: 301}}))
	// Group 4: a new duplicate arrives (not in the plan: it stays).
	must(u.InsertOne(ctx, bson.D{{Key: "_id", Value: 403}, {Key: "email", Value: "u4@x.com"}}))
	// Group 5: the keeper's key changes.
	must(u.UpdateOne(ctx, bson.D{{Key: "_id", Value: 500}}, bson.D{{Key: "$set", Value: bson.D{{Key: "email", Value: "other@x.com"}}}}))
	// Group 6: a member changes outside the key: still deleted, backed up as it is now.
	must(u.UpdateOne(ctx, bson.D{{Key: "_id", Value: 602}}, bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "edited"}}}}))
	// Group 7: untouched.
	before := rawDocs(t, db, "users")

	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: t.TempDir(), BatchSize: 3})
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	after := rawDocs(t, db, "users")
	wantLeft := intIDs(101, 102, 200, 201, 300, 400, 403, 500, 501, 502, 600, 700, 99999)
	if got := keys(after); !equal(got, wantLeft) {
		t.Fatalf("remaining %v\nwant      %v", got, wantLeft)
	}
	backed := backupDocs(t, rep.BackupPath)
	wantBacked := intIDs(202, 302, 401, 402, 601, 602, 701, 702)
	if got := ids(backed); !equal(got, wantBacked) {
		t.Fatalf("backup holds %v\nwant        %v", got, wantBacked)
	}
	for _, d := range backed {
		if string(d) != string(before[canonID(d)]) {
			t.Errorf("backup of %s is not the document as it was just before the delete", canonID(d))
		}
	}
	outcomes := []model.Outcome{model.Skipped, model.Partial, model.Partial, model.Deleted, model.Skipped, model.Deleted, model.Deleted}
	reasons := [][]string{
		{mongo.ReasonKeeperGone, mongo.ReasonKeeperGone},
		{mongo.ReasonKeyChanged},
		{mongo.ReasonGone},
		nil,
		{mongo.ReasonKeeperChanged, mongo.ReasonKeeperChanged},
		nil, nil,
	}
	for i, g := range rep.Groups {
		if g.Outcome != outcomes[i] {
			t.Errorf("group %d: outcome %s, want %s", i+1, g.Outcome, outcomes[i])
		}
		var rs []string
		for _, s := range g.Skipped {
			rs = append(rs, s.Reason)
		}
		if !equal(rs, reasons[i]) {
			t.Errorf("group %d: skipped %v, want reasons %v", i+1, g.Skipped, reasons[i])
		}
	}
	if rep.Deleted != 8 || rep.SkippedDocs != 6 || rep.FailedGroups != 0 || rep.NotReached != 0 {
		t.Errorf("report totals: %+v", rep)
	}
}

// checkSafe asserts the invariants that must hold after any interruption: every document
// missing from the collection is in the backup exactly as it was, and no keeper is missing.
func checkSafe(t *testing.T, db string, plan model.Plan, before map[string]bson.Raw, backupPath string) {
	t.Helper()
	now := rawDocs(t, db, plan.NS.Coll)
	held := map[string]bson.Raw{}
	if backupPath != "" {
		for _, d := range backupDocs(t, backupPath) {
			held[canonID(d)] = d
		}
	}
	for id, d := range before {
		if _, ok := now[id]; ok {
			continue
		}
		b, ok := held[id]
		if !ok {
			t.Errorf("document %s is gone and not in the backup", id)
		} else if string(b) != string(d) {
			t.Errorf("document %s is gone and its backup differs from it", id)
		}
	}
	for _, g := range plan.Groups {
		if _, ok := now[string(g.Keep)]; !ok {
			t.Errorf("keeper %s is missing", g.Keep)
		}
	}
}

// checkDone asserts that the plan was carried out exactly: only keepers and documents outside
// the plan remain, and the backup holds each deleted document once, as it was.
func checkDone(t *testing.T, db string, plan model.Plan, before map[string]bson.Raw, backupPath string) {
	t.Helper()
	checkSafe(t, db, plan, before, backupPath)
	now := rawDocs(t, db, plan.NS.Coll)
	planned := map[string]bool{}
	for _, g := range plan.Groups {
		for _, id := range g.Delete {
			planned[string(id)] = true
		}
	}
	for id := range before {
		_, left := now[id]
		if planned[id] && left {
			t.Errorf("planned delete %s still exists", id)
		}
		if !planned[id] && !left {
			t.Errorf("document %s was not in the plan but is gone", id)
		}
	}
	backed := backupDocs(t, backupPath)
	seen := map[string]bool{}
	for _, d := range backed {
		id := canonID(d)
		if seen[id] {
			t.Errorf("backup holds %s twice", id)
		}
		seen[id] = true
		if !planned[id] {
			t.Errorf("backup holds %s, which the plan does not delete", id)
		}
	}
	if len(seen) != len(planned) {
		t.Errorf("backup holds %d documents, the plan deletes %d", len(seen), len(planned))
	}
}

// TestExecuteCancelThenResume cancels between batches, then re-runs the plan: the second run
// continues the first one's backup and finishes exactly.
func TestExecuteCancelThenResume(t *testing.T) {
	c, db := connect(t)
	users(t, db, 6, 3)
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir, BatchSize: 2,
		Progress: func(model.Progress) { cancel() }})
	if err != nil {
		t.Fatalf("cancelled run: %v", err)
	}
	if !rep.Cancelled || rep.Deleted != 4 || rep.NotReached != 4 {
		t.Fatalf("cancelled run report: %+v", rep)
	}
	for i, g := range rep.Groups {
		want := model.NotReached
		if i < 2 {
			want = model.Deleted
		}
		if g.Outcome != want {
			t.Errorf("group %d: %s, want %s", i+1, g.Outcome, want)
		}
	}
	if m, _ := mongo.ReadManifest(rep.ManifestPath); m.Status != mongo.RunCancelled || m.Counts.NotReached != 4 {
		t.Errorf("manifest after cancel: %+v", m)
	}
	checkSafe(t, db, plan, before, rep.BackupPath)

	rep2, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir, BatchSize: 2})
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if !rep2.Resumed || rep2.BackupPath != rep.BackupPath || rep2.Deleted != 8 || rep2.Earlier != 4 || rep2.SkippedDocs != 0 {
		t.Fatalf("resumed run report: %+v", rep2)
	}
	for _, g := range rep2.Groups {
		if g.Outcome != model.Deleted {
			t.Errorf("resumed group %d: %+v", g.Group+1, g)
		}
	}
	checkDone(t, db, plan, before, rep2.BackupPath)
	m, _ := mongo.ReadManifest(rep2.ManifestPath)
	if m.Status != mongo.RunDone || m.Runs != 2 || m.Counts.Deleted != 12 || m.Counts.BackedUp != 12 {
		t.Errorf("manifest after resume: %+v", m)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("backup directory holds %d files, want one backup and one manifest", len(entries))
	}
	// A third run finds nothing left to do and writes nothing new.
	rep3, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir})
	if err != nil || rep3.Deleted != 0 || rep3.Earlier != 12 || rep3.BackedUp != 0 {
		t.Fatalf("third run: %v %+v", err, rep3)
	}
	checkDone(t, db, plan, before, rep3.BackupPath)
}

// TestExecuteResumeAfterTornBackup resumes a run that died while writing its backup: the
// torn record is cut off and the plan finishes.
func TestExecuteResumeAfterTornBackup(t *testing.T) {
	c, db := connect(t)
	users(t, db, 4, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir, BatchSize: 1,
		Progress: func(model.Progress) { cancel() }})
	if err != nil || rep.Deleted != 1 {
		t.Fatalf("first run: %v %+v", err, rep)
	}
	// The next batch's record half written when the process died: killed mid-write, it left
	// its manifest saying running.
	setManifestStatus(t, rep.ManifestPath, mongo.RunRunning)
	f, err := os.OpenFile(rep.BackupPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	torn := before[`{"$numberInt":"201"}`]
	if _, err := f.Write(torn[:len(torn)/2]); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rep2, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if rep2.Deleted != 3 || rep2.Earlier != 1 {
		t.Errorf("resume report: %+v", rep2)
	}
	aside := fmt.Sprintf("%s.torn-%d", rep.BackupPath, len(before[`{"$numberInt":"101"}`])) // the first batch's record
	if len(rep2.Notices) != 1 || !strings.Contains(rep2.Notices[0], aside) || !strings.Contains(rep2.Notices[0], fmt.Sprintf("%d bytes", len(torn)/2)) {
		t.Errorf("the torn write set aside is not reported as %s: %q", aside, rep2.Notices)
	}
	if kept, err := os.ReadFile(aside); err != nil || !bytes.HasSuffix(kept, torn[:len(torn)/2]) {
		t.Errorf("the file as it was is not kept at %s: %v", aside, err)
	}
	checkDone(t, db, plan, before, rep2.BackupPath)
}

// setManifestStatus rewrites a run's manifest with another status, as a process killed in
// the middle of the run leaves it.
func setManifestStatus(t *testing.T, path, status string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["status"] = status
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestExecuteFilteredKey plans under a --filter, then takes a member and a keeper out of the
// filter: they are no longer duplicates under that key, so nothing of theirs is deleted.
func TestExecuteFilteredKey(t *testing.T) {
	c, db := connect(t)
	var docs []bson.D
	for g := 1; g <= 2; g++ {
		for m := 0; m < 3; m++ {
			docs = append(docs, bson.D{{Key: "_id", Value: int32(g*100 + m)}, {Key: "email", Value: "u" + strconv.Itoa(g) + "@x.com"}, {Key: "active", Value: true}})
		}
	}
	insert(t, db, "users", docs...)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}, Filter: `{"active": true}`})
	u := coll(t, db, "users")
	for _, id := range []int32{101, 200} { // a member of group 1, the keeper of group 2
		if _, err := u.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "active", Value: false}}}}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(rawDocs(t, db, "users")), intIDs(100, 101, 200, 201, 202); !equal(got, want) {
		t.Fatalf("remaining %v, want %v", got, want)
	}
	g1, g2 := rep.Groups[0], rep.Groups[1]
	if g1.Outcome != model.Partial || len(g1.Skipped) != 1 || g1.Skipped[0].Reason != mongo.ReasonFiltered {
		t.Errorf("group 1: %+v", g1)
	}
	if g2.Outcome != model.Skipped || len(g2.Skipped) != 2 || g2.Skipped[0].Reason != mongo.ReasonKeeperChanged {
		t.Errorf("group 2: %+v", g2)
	}
	if got := ids(backupDocs(t, rep.BackupPath)); !equal(got, intIDs(102)) {
		t.Errorf("backup holds %v", got)
	}
}
