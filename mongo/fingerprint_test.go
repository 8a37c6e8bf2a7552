package mongo_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// printIDs are _ids of the types a collection holds, one generator per type: group g's
// member m.
var printIDs = map[string]func(g, m int) any{
	"objectId": func(g, m int) any {
		var o bson.ObjectID
		o[0], o[11] = byte(g), byte(m)
		return o
	},
	"uuid": func(g, m int) any {
		d := make([]byte, 16)
		d[0], d[15] = byte(g), byte(m)
		return bson.Binary{Subtype: 4, Data: d}
	},
	"string": func(g, m int) any { return "id-" + strconv.Itoa(g) + "-" + strconv.Itoa(m) },
	"int64":  func(g, m int) any { return int64(g)<<40 + int64(m) },
	"date": func(g, m int) any {
		return bson.NewDateTimeFromTime(time.Date(2020, 1, g, 0, 0, m, 0, time.UTC))
	},
	"document": func(g, m int) any { return bson.D{{Key: "g", Value: int32(g)}, {Key: "m", Value: int32(m)}} },
}

// printedPlan plans as dupes plan does: every member read whole, the rule decides from that
// read, the plan records each member's fingerprint; then through the plan file.
func printedPlan(t *testing.T, c *mongo.Client, ns model.Namespace, key model.Key, rule model.KeepRule, merge *model.MergeOptions) model.Plan {
	t.Helper()
	groups := scanAll(t, c, ns, key)
	keep, _, prints, err := c.KeepersPrinted(context.Background(), ns, rule, groups)
	if err != nil {
		t.Fatal(err)
	}
	choices := make([]model.Choice, len(groups))
	for i, k := range keep {
		choices[i] = model.Choice{Keep: k, How: model.ByRule}
	}
	p := model.Plan{Version: model.PlanVersion, NS: ns, Key: key, Rule: rule.String(), Merge: merge, CreatedAt: time.Now(),
		Groups: model.BuildPlan(groups, choices, model.PlanOptions{}).Groups}
	prints.Stamp(p.Groups)
	b, err := model.EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = model.DecodePlan(b); err != nil || p.Unprinted() != 0 {
		t.Fatalf("plan file: %v, %d groups unprinted", err, p.Unprinted())
	}
	return p
}

// update changes one document behind the plan's back.
func update(t *testing.T, db, collName string, id model.Value, change bson.D) {
	t.Helper()
	rv, err := id.Raw()
	if err != nil {
		t.Fatal(err)
	}
	res, err := coll(t, db, collName).UpdateOne(context.Background(), bson.D{{Key: "_id", Value: rv}}, change)
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("update %s: %v %+v", id.Display(), err, res)
	}
}

func skipped(rep model.Report) map[model.Value]string {
	out := map[model.Value]string{}
	for _, g := range rep.Groups {
		for _, s := range g.Skipped {
			out[s.ID] = s.Reason
		}
	}
	for _, g := range rep.Sample {
		for _, s := range g.Skipped {
			out[s.ID] = s.Reason
		}
	}
	return out
}

func present(t *testing.T, db, collName string) map[string]bool {
	out := map[string]bool{}
	for id := range rawDocs(t, db, collName) {
		out[id] = true
	}
	return out
}

// TestPlanHoldsFromScanToApply: per _id type, a group of four planned (keep the first); then
// one member to delete is changed, one is changed and changed back (the same bytes), and
// the keeper is changed (a delete-only plan needs of its keeper only the key). The run keeps
// the changed member, reporting it "changed since the plan", and deletes the others.
func TestPlanHoldsFromScanToApply(t *testing.T) {
	c, db := connect(t)
	var docs []bson.D
	g := 0
	for typ, id := range printIDs {
		g++
		for m := 0; m < 4; m++ {
			docs = append(docs, bson.D{{Key: "_id", Value: id(g, m)}, {Key: "email", Value: typ + "@x.com"}, {Key: "n", Value: int32(m)}})
		}
	}
	insert(t, db, "users", docs...)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := printedPlan(t, c, ns, model.Key{Fields: []string{"email"}}, model.KeepRule{Kind: model.KeepFirst}, nil)
	if len(plan.Groups) != len(printIDs) {
		t.Fatalf("%d groups planned, want %d", len(plan.Groups), len(printIDs))
	}
	for _, pg := range plan.Groups {
		update(t, db, "users", pg.Delete[0], bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: int32(99)}}}})
		update(t, db, "users", pg.Delete[1], bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "x"}}}})
		update(t, db, "users", pg.Delete[1], bson.D{{Key: "$unset", Value: bson.D{{Key: "note", Value: ""}}}})
		update(t, db, "users", pg.Keep, bson.D{{Key: "$set", Value: bson.D{{Key: "seen", Value: true}}}})
	}
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	why := skipped(rep)
	left := present(t, db, "users")
	for _, pg := range plan.Groups {
		if why[pg.Delete[0]] != mongo.ReasonChangedSincePlan || !left[string(pg.Delete[0])] {
			t.Errorf("%s changed since the plan: present %v, reason %q", pg.Delete[0].Display(), left[string(pg.Delete[0])], why[pg.Delete[0]])
		}
		for _, id := range pg.Delete[1:] {
			if left[string(id)] {
				t.Errorf("%s is the version planned, yet was not deleted (%q)", id.Display(), why[id])
			}
		}
		if !left[string(pg.Keep)] {
			t.Errorf("keeper %s deleted", pg.Keep.Display())
		}
	}
	if n := len(printIDs); rep.Deleted != 2*n || rep.SkippedDocs != n {
		t.Fatalf("deleted %d, skipped %d; want %d and %d", rep.Deleted, rep.SkippedDocs, 2*n, n)
	}
	// The backup holds what was deleted, not the member left alone.
	if n := len(backupDocs(t, rep.BackupPath)); n != 2*len(printIDs) {
		t.Fatalf("backup holds %d documents", n)
	}
}

// TestMergePlanKeeperChangedSincePlan: under a merge plan, a keeper changed after the plan
// leaves its whole group untouched: nothing merged into it, no member deleted. The other
// group merges and deletes.
func TestMergePlanKeeperChangedSincePlan(t *testing.T) {
	c, db := connect(t)
	customers(t, db)
	ns := model.Namespace{DB: db, Coll: "customers"}
	plan := printedPlan(t, c, ns, model.Key{Fields: []string{"email"}}, model.KeepRule{Kind: model.KeepFirst}, &model.MergeOptions{})
	ann := plan.Groups[0]
	update(t, db, "customers", ann.Keep, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "Ann B."}}}})
	before := rawDocs(t, db, "customers")
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	after := rawDocs(t, db, "customers")
	for _, id := range append([]model.Value{ann.Keep}, ann.Delete...) {
		if string(after[string(id)]) != string(before[string(id)]) {
			t.Errorf("%s of the group whose keeper changed was touched", id.Display())
		}
	}
	why := skipped(rep)
	for _, id := range ann.Delete {
		if why[id] != mongo.ReasonKeeperChangedSincePlan {
			t.Errorf("%s: reason %q", id.Display(), why[id])
		}
	}
	if rep.Deleted != 1 || rep.MergedKeepers != 1 || !equal(keys(after), intIDs(1, 2, 3, 11)) {
		t.Fatalf("deleted %d, merged %d, left %v", rep.Deleted, rep.MergedKeepers, keys(after))
	}
}

// TestStreamHoldsThePlannedVersions: a streamed run (dupes resolve) deletes only the versions
// its chunk's plan read.
func TestStreamHoldsThePlannedVersions(t *testing.T) {
	c, db := connect(t)
	users(t, db, 3, 3)
	ns := model.Namespace{DB: db, Coll: "users"}
	key := model.Key{Fields: []string{"email"}}
	plan := printedPlan(t, c, ns, key, model.KeepRule{Kind: model.KeepFirst}, nil)
	changed := plan.Groups[1].Delete[1]
	update(t, db, "users", changed, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: int32(7)}}}})
	ctx := context.Background()
	head := plan
	head.Groups = nil
	st, err := c.StartStream(ctx, head, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	runErr := st.Run(ctx, plan.Groups, true)
	rep, err := st.Finish(ctx, nil)
	if runErr != nil || err != nil {
		t.Fatal(runErr, err)
	}
	if rep.Deleted != 5 || rep.SkippedDocs != 1 || skipped(rep)[changed] != mongo.ReasonChangedSincePlan {
		t.Fatalf("report %+v", rep)
	}
	if !present(t, db, "users")[string(changed)] {
		t.Fatal("the changed member was deleted")
	}
}
