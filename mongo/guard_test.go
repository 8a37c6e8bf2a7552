package mongo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestExecuteGuardChangedSinceRead changes members after they were re-read and backed up,
// just before the delete reaches the server: a changed document is kept and reported, and
// one whose number only changed type (which $eq cannot see) is deleted as its backup says.
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
		set(302, "n", 2.0)                                    // int32 2 -> double 2.0: equal to $eq
	}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || hookErr != nil {
		t.Fatalf("execute: %v (update: %v)", err, hookErr)
	}
	after := rawDocs(t, db, "users")
	if got, want := keys(after), intIDs(100, 101, 200, 201, 300, 99999); !equal(got, want) {
		t.Fatalf("remaining %v, want %v", got, want)
	}
	if !strings.Contains(after[`{"$numberInt":"101"}`].String(), "edited while") {
		t.Errorf("101 lost its update: %s", after[`{"$numberInt":"101"}`])
	}
	if rep.Deleted != 4 || rep.SkippedDocs != 2 || rep.BackedUp != 6 || rep.FailedGroups != 0 {
		t.Errorf("report: %+v", rep)
	}
	for _, g := range rep.Groups[:2] {
		if g.Outcome != model.Partial || len(g.Skipped) != 1 || g.Skipped[0].Reason != mongo.ReasonChanged {
			t.Errorf("group %d: %+v", g.Group+1, g)
		}
	}
	if rep.Groups[2].Outcome != model.Deleted {
		t.Errorf("group 3: %+v", rep.Groups[2])
	}
	// The backup holds every copy as read: the two kept documents too (not deleted, so a
	// restore reports them as existing), and 302 with its int32, as it was read.
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
	if err != nil || m.Counts.BackedUp != 6 || m.Counts.Deleted != 4 || m.Counts.Skipped != 2 {
		t.Errorf("manifest: %v %+v", err, m.Counts)
	}
	res, err := direct.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{DryRun: true})
	if err != nil || res.Inserted != 4 || res.Existing != 2 {
		t.Errorf("restore dry run: %v %+v", err, res)
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
