package mongo_test

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// TestExecuteGuardChangedSinceRead changes members after they were re-read and backed up,
// just before the delete reaches the server: a changed document is kept and reported, one
// whose number only changed type (int32 2 to double 2.0, equal to $eq) included.
func TestExecuteGuardChangedSinceRead(t *testing.T) {
	direct, db := connect(t)
	users(t, db, 3, 3)
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	before := rawDocs(t, db, "users")
	proxy, c := dialProxy(t, 0)
	u := coll(t, db, "users")
	var hookErr error
	proxy.arm(faultRule{cmd: "delete", nth: 1, mode: hookOnly, hook: func() {
		ctx := context.Background()
		set := func(id int32, f string, v any) {
			if _, err := u.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: f, Value: v}}}}); err != nil {
				hookErr = err
			}
		}
		set(101, "note", "edited while the run was deleting") // a new field
		set(201, "n", int32(7))                               // a changed value
		hookErr = cmp.Or(hookErr, replaceAs(u, bson.D{{Key: "_id", Value: int32(302)}, {Key: "email", Value: "u3@x.com"}, {Key: "n", Value: 2.0}}))
	}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || hookErr != nil {
		t.Fatalf("execute: %v (update: %v)", err, hookErr)
	}
	after := rawDocs(t, db, "users")
	if got, want := keys(after), intIDs(100, 101, 200, 201, 300, 302, 99999); !equal(got, want) {
		t.Fatalf("remaining %v, want %v", got, want)
	}
	if !strings.Contains(after[`{"$numberInt":"101"}`].String(), "edited while") {
		t.Errorf("101 lost its update: %s", after[`{"$numberInt":"101"}`])
	}
	if rep.Deleted != 3 || rep.SkippedDocs != 3 || rep.BackedUp != 6 || rep.FailedGroups != 0 {
		t.Errorf("report: %+v", rep)
	}
	for _, g := range rep.Groups {
		if g.Outcome != model.Partial || len(g.Skipped) != 1 || g.Skipped[0].Reason != mongo.ReasonChanged {
			t.Errorf("group %d: %+v", g.Group+1, g)
		}
	}
	// The backup holds every copy as read: the kept documents too (not deleted, so a restore
	// reports them as existing).
	backed := backupDocs(t, rep.BackupPath)
	if got := ids(backed); !equal(got, intIDs(101, 102, 201, 202, 301, 302)) {
		t.Fatalf("backup holds %v", got)
	}
	for _, d := range backed {
		if string(d) != string(before[canonID(d)]) {
			t.Errorf("backup of %s is not the document as read", canonID(d))
		}
	}
	m, err := mongo.ReadManifest(rep.ManifestPath)
	if err != nil || m.Counts.BackedUp != 6 || m.Counts.Deleted != 3 || m.Counts.Skipped != 3 {
		t.Errorf("manifest: %v %+v", err, m.Counts)
	}
	res, err := direct.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{DryRun: true})
	if err != nil || res.Inserted != 3 || res.Existing != 3 {
		t.Errorf("restore dry run: %v %+v", err, res)
	}
}

// replaceAs replaces a document with doc and checks the server stored it byte for byte: an
// update that only changes a number's type can be a no-op on some engines, and a test that
// changed nothing would pass for the wrong reason.
func replaceAs(u *mongodriver.Collection, doc bson.D) error {
	ctx := context.Background()
	id := doc[0].Value
	if _, err := u.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc); err != nil {
		return err
	}
	got, err := u.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Raw()
	if err != nil {
		return err
	}
	want, err := bson.Marshal(doc)
	if err != nil {
		return err
	}
	if string(got) != string(want) {
		return fmt.Errorf("the server stored %s, not %s", got, bson.Raw(want))
	}
	return nil
}

// TestExecuteGuardSeesNumberTypes changes only the type of one number per member, in a
// nested document, in an array of one type, in a mixed array and in an array of documents:
// each member is kept and reported, and the one left unchanged is deleted.
func TestExecuteGuardSeesNumberTypes(t *testing.T) {
	_, db := connect(t)
	member := func(id int32) bson.D {
		return bson.D{{Key: "_id", Value: id}, {Key: "email", Value: "a@x.com"},
			{Key: "sub", Value: bson.D{{Key: "x", Value: int64(5)}}},
			{Key: "arr", Value: bson.A{int32(1), int32(2), int32(3)}},
			{Key: "mixed", Value: bson.A{int32(1), 2.5}},
			{Key: "items", Value: bson.A{bson.D{{Key: "q", Value: int32(1)}}, bson.D{{Key: "q", Value: int32(2)}}}}}
	}
	var docs []bson.D
	for id := int32(1); id <= 6; id++ {
		docs = append(docs, member(id))
	}
	insert(t, db, "users", docs...)
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	proxy, c := dialProxy(t, 0)
	u := coll(t, db, "users")
	var hookErr error
	proxy.arm(faultRule{cmd: "delete", nth: 1, mode: hookOnly, hook: func() {
		change := func(id int32, edit func(bson.D)) {
			d := member(id)
			edit(d)
			hookErr = cmp.Or(hookErr, replaceAs(u, d))
		}
		change(2, func(d bson.D) { d[2].Value = bson.D{{Key: "x", Value: int32(5)}} })
		change(3, func(d bson.D) { d[3].Value = bson.A{int32(1), 2.0, int32(3)} })
		change(4, func(d bson.D) { d[4].Value = bson.A{int64(1), 2.5} })
		change(5, func(d bson.D) {
			d[5].Value = bson.A{bson.D{{Key: "q", Value: int32(1)}}, bson.D{{Key: "q", Value: 2.0}}}
		})
	}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || hookErr != nil {
		t.Fatalf("execute: %v (change: %v)", err, hookErr)
	}
	if got, want := keys(rawDocs(t, db, "users")), intIDs(1, 2, 3, 4, 5); !equal(got, want) {
		t.Fatalf("remaining %v, want %v: a member whose number changed type was deleted", got, want)
	}
	g := rep.Groups[0]
	if rep.Deleted != 1 || len(g.Skipped) != 4 {
		t.Fatalf("report: %+v", rep)
	}
	for _, s := range g.Skipped {
		if s.Reason != mongo.ReasonChanged {
			t.Errorf("%s kept as %q, want %q", s.ID, s.Reason, mongo.ReasonChanged)
		}
	}
}

// TestExecuteGuardRegex deletes a document holding a regular expression. mongo-java-server
// cannot compare one inside $expr ("can't compare class BsonRegularExpression"): there the
// guard fails that group with the server's error and keeps the document; real engines delete it.
func TestExecuteGuardRegex(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "users",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "email", Value: "a@x.com"}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "email", Value: "a@x.com"}, {Key: "re", Value: bson.Regex{Pattern: "^a", Options: "i"}}},
		bson.D{{Key: "_id", Value: int32(3)}, {Key: "email", Value: "b@x.com"}},
		bson.D{{Key: "_id", Value: int32(4)}, {Key: "email", Value: "b@x.com"}},
	)
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	before := rawDocs(t, db, "users")
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	left := keys(rawDocs(t, db, "users"))
	g := rep.Groups[0]
	if mongotest.JavaServer() {
		// It fails the whole delete command, so the run stops there.
		if err == nil || !strings.Contains(err.Error(), "compare") || g.Outcome != model.Failed ||
			!strings.Contains(g.Error, "compare") || !strings.Contains(strings.Join(left, " "), `"2"`) {
			t.Fatalf("mongo-java-server: want the run stopped and the regex document kept: %v %+v, left %v", err, rep, left)
		}
		checkSafe(t, db, plan, before, rep.BackupPath)
		return
	}
	if err != nil || g.Outcome != model.Deleted || rep.Groups[1].Outcome != model.Deleted || !equal(left, intIDs(1, 3)) {
		t.Fatalf("execute: %v %+v, left %v", err, rep, left)
	}
}

// TestExecuteGuardTooLarge plans to delete a document so close to 16 MiB that the statement
// carrying it would pass the limit: it is skipped with its reason, never deleted unguarded.
func TestExecuteGuardTooLarge(t *testing.T) {
	c, db := connect(t)
	// 16 MiB less 20 bytes: a document the server takes, a statement it would not.
	const size = 16*1024*1024 - 20
	doc := func(blob string) bson.D {
		return bson.D{{Key: "_id", Value: int32(2)}, {Key: "email", Value: "a@x.com"}, {Key: "blob", Value: blob}}
	}
	empty, _ := bson.Marshal(doc(""))
	insert(t, db, "users",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "email", Value: "a@x.com"}},
		doc(strings.Repeat("x", size-len(empty))),
		bson.D{{Key: "_id", Value: int32(3)}, {Key: "email", Value: "a@x.com"}},
	)
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	g := rep.Groups[0]
	if g.Outcome != model.Partial || g.Deleted != 1 || len(g.Skipped) != 1 || g.Skipped[0].Reason != mongo.ReasonTooLarge {
		t.Fatalf("group: %+v", g)
	}
	if left := keys(rawDocs(t, db, "users")); !equal(left, intIDs(1, 2)) {
		t.Fatalf("left %v", left)
	}
	if got := ids(backupDocs(t, rep.BackupPath)); !equal(got, intIDs(3)) {
		t.Fatalf("backup holds %v: a document not deleted was backed up", got)
	}
}

// TestExecuteGuardKeysLikeTheIndex changes array keys after planning: a member that still
// shares a key with the keeper (through another element) is a duplicate and goes; one that
// shares none is kept; one MongoDB could not index (parallel arrays) is left alone.
func TestExecuteGuardKeysLikeTheIndex(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "tags",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "tags", Value: bson.A{"a", "b"}}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "tags", Value: bson.A{"b"}}}, // was ["a"]
		bson.D{{Key: "_id", Value: int32(3)}, {Key: "tags", Value: bson.A{"c"}}}, // was ["a"]
	)
	insert(t, db, "pairs",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "x", Value: int32(1)}, {Key: "y", Value: int32(1)}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "x", Value: bson.A{int32(1)}}, {Key: "y", Value: bson.A{int32(1)}}},
		bson.D{{Key: "_id", Value: int32(3)}, {Key: "x", Value: int32(1)}, {Key: "y", Value: 1.0}},
	)
	one, two, three := model.Value(`{"$numberInt":"1"}`), model.Value(`{"$numberInt":"2"}`), model.Value(`{"$numberInt":"3"}`)
	run := func(coll string, key model.Key, groupKey ...model.Value) model.GroupResult {
		t.Helper()
		plan := model.Plan{Version: model.PlanVersion, NS: model.Namespace{DB: db, Coll: coll}, Key: key,
			Groups: []model.PlanGroup{{Key: groupKey, Keep: one, Delete: []model.Value{two, three}}}}
		rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
		if err != nil {
			t.Fatalf("execute on %s: %v", coll, err)
		}
		return rep.Groups[0]
	}
	g := run("tags", model.Key{Fields: []string{"tags"}}, `"a"`)
	if g.Outcome != model.Partial || g.Deleted != 1 || len(g.Skipped) != 1 || g.Skipped[0].ID != three ||
		g.Skipped[0].Reason != mongo.ReasonKeyChanged {
		t.Errorf("tags: %+v", g)
	}
	if left := keys(rawDocs(t, db, "tags")); !equal(left, intIDs(1, 3)) {
		t.Errorf("tags left: %v", left)
	}
	g = run("pairs", model.Key{Fields: []string{"x", "y"}}, `{"$numberInt":"1"}`, `{"$numberInt":"1"}`)
	if g.Outcome != model.Partial || g.Deleted != 1 || len(g.Skipped) != 1 || g.Skipped[0].ID != two ||
		g.Skipped[0].Reason != mongo.ReasonUnkeyable {
		t.Errorf("pairs: %+v", g)
	}
	if left := keys(rawDocs(t, db, "pairs")); !equal(left, intIDs(1, 2)) {
		t.Errorf("pairs left: %v", left)
	}
}

// TestExecuteGuardEmptyArray deletes a document holding an empty array. mongo-java-server finds
// such a document unequal to itself in $expr: there the guard keeps it and says the server's
// comparison failed (not that it changed); real engines delete it.
func TestExecuteGuardEmptyArray(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "posts",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "k", Value: "a"}, {Key: "tags", Value: bson.A{}}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "k", Value: "a"}, {Key: "tags", Value: bson.A{}}},
	)
	plan := handPlan(t, db, "posts", model.Key{Fields: []string{"k"}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	g, left := rep.Groups[0], keys(rawDocs(t, db, "posts"))
	if mongotest.JavaServer() {
		if g.Outcome != model.Skipped || len(g.Skipped) != 1 || g.Skipped[0].Reason != mongo.ReasonUnequal || !equal(left, intIDs(1, 2)) {
			t.Fatalf("mongo-java-server: want the member kept as unequal: %+v, left %v", g, left)
		}
		return
	}
	if g.Outcome != model.Deleted || !equal(left, intIDs(1)) {
		t.Fatalf("group: %+v, left %v", g, left)
	}
}
