package mongo_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// customers holds two groups by email whose members each know part of the truth.
func customers(t *testing.T, db string) {
	t.Helper()
	insert(t, db, "customers",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "email", Value: "ann@x.com"}, {Key: "name", Value: "Ann"}, {Key: "phone", Value: nil}, {Key: "tags", Value: bson.A{"vip"}}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "email", Value: "ann@x.com"}, {Key: "name", Value: "Anne"}, {Key: "phone", Value: "555"}, {Key: "tags", Value: bson.A{"b2b", int32(1)}}, {Key: "city", Value: "Oslo"}},
		bson.D{{Key: "_id", Value: int32(3)}, {Key: "email", Value: "ann@x.com"}, {Key: "address", Value: "Main St"}, {Key: "city", Value: "Bergen"}, {Key: "tags", Value: bson.A{"vip", 1.0, "new"}}},
		bson.D{{Key: "_id", Value: int32(11)}, {Key: "email", Value: "bob@x.com"}, {Key: "name", Value: "Bob"}},
		bson.D{{Key: "_id", Value: int32(12)}, {Key: "email", Value: "bob@x.com"}, {Key: "phone", Value: "777"}},
	)
}

func mergePlan(t *testing.T, c *mongo.Client, db string, rule string, opt model.MergeOptions) model.Plan {
	t.Helper()
	p := planFor(t, c, model.Namespace{DB: db, Coll: "customers"}, model.Key{Fields: []string{"email"}})
	p.Rule, p.Merge = rule, &opt
	// Through the plan file, as apply reads it.
	b, err := model.EncodePlan(p)
	if err != nil {
		t.Fatal(err)
	}
	if p, err = model.DecodePlan(b); err != nil || p.Merge == nil {
		t.Fatalf("plan file: %v %+v", err, p)
	}
	return p
}

// TestMergeFillsKeeperAndRestores: the keeper gains the missing and null fields from the
// members in rule order (and the union of tags), the members go, and restore puts back the
// keeper's before-image and the members, byte for byte.
func TestMergeFillsKeeperAndRestores(t *testing.T) {
	c, db := connect(t)
	customers(t, db)
	before := rawDocs(t, db, "customers")
	plan := mergePlan(t, c, db, "first", model.MergeOptions{Arrays: true})
	preview, err := c.MergePreview(context.Background(), plan.NS, plan.MergeRule(), *plan.Merge, plan.Groups[0].Keep, plan.Groups[0].Delete)
	if err != nil || preview.Describe() != "phone (from 2), tags (merged from 2, 3), city (from 2), address (from 3)" {
		t.Fatalf("preview: %v %s", err, preview.Describe())
	}
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 3 || rep.MergedKeepers != 2 || rep.SkippedDocs != 0 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	after := rawDocs(t, db, "customers")
	if !equal(keys(after), intIDs(1, 11)) {
		t.Fatalf("left %v", keys(after))
	}
	// Rule first: member 2 before member 3. phone replaces null in place; city is 2's;
	// address is 3's; tags keep the keeper's "vip" first, 1.0 is 1 already there.
	want := `{"_id": {"$numberInt":"1"},"email": "ann@x.com","name": "Ann","phone": "555","tags": ["vip","b2b",{"$numberInt":"1"},"new"],"city": "Oslo","address": "Main St"}`
	if got := after[`{"$numberInt":"1"}`].String(); got != want {
		t.Errorf("merged keeper\n %s\nwant\n %s", got, want)
	}
	if got := strings.ReplaceAll(after[`{"$numberInt":"1"}`].String(), `": `, `":`); got != string(preview.Doc) {
		t.Errorf("the run's keeper differs from the preview\n %s\n %s", got, preview.Doc)
	}
	if got := strings.Join(rep.Groups[0].Merged, ","); got != "phone,tags,city,address" {
		t.Errorf("group 1 gained %s", got)
	}
	m, err := mongo.ReadManifest(rep.ManifestPath)
	if err != nil || m.Keepers == nil || m.Keepers.File != strings.TrimSuffix(filepath.Base(rep.BackupPath), ".bson")+".keepers" {
		t.Fatalf("manifest: %v %+v", err, m.Keepers)
	}
	// A dry run says what would happen; the restore does it.
	res, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{DryRun: true})
	if err != nil || res.Inserted != 3 || res.Files[0].Keepers == nil || res.Files[0].Keepers.Restored != 2 {
		t.Fatalf("restore dry run: %v %+v", err, res)
	}
	res, err = c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{})
	if err != nil || res.Inserted != 3 || res.Files[0].Keepers.Restored != 2 || res.Files[0].Keepers.Updates != 2 {
		t.Fatalf("restore: %v %+v", err, res)
	}
	restored := rawDocs(t, db, "customers")
	for id, d := range before {
		if string(restored[id]) != string(d) {
			t.Errorf("%s after restore\n %s\nwas\n %s", id, restored[id], d)
		}
	}
	// Again: every keeper is its before-image now, no longer the merged version: left alone.
	res, err = c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{})
	if err != nil || res.Files[0].Keepers.Restored != 0 || len(res.Files[0].Keepers.Changed) != 2 {
		t.Fatalf("second restore: %v %+v", err, res.Files[0].Keepers)
	}
}

// TestMergeRuleOrder: under max:city the member with the largest city gives its fields first.
func TestMergeRuleOrder(t *testing.T) {
	c, db := connect(t)
	customers(t, db)
	plan := mergePlan(t, c, db, "max:city", model.MergeOptions{})
	plan.Groups[0].Keep, plan.Groups[0].Delete = `{"$numberInt":"1"}`, []model.Value{`{"$numberInt":"2"}`, `{"$numberInt":"3"}`}
	if _, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	// 2 holds Oslo, 3 Bergen: 2 comes first, and its city wins; tags stay the keeper's.
	got := rawDocs(t, db, "customers")[`{"$numberInt":"1"}`].String()
	if !strings.Contains(got, `"city": "Oslo"`) || !strings.Contains(got, `"tags": ["vip"]`) {
		t.Errorf("merged keeper %s", got)
	}
}

// TestMergeKeeperChangedSkipsGroup changes a keeper after it was read, backed up and merged,
// just before its guarded update reaches the server: the update does not happen, nothing of
// that group is deleted, the group is reported; the other group is merged and resolved.
// A restore leaves the changed keeper alone.
func TestMergeKeeperChangedSkipsGroup(t *testing.T) {
	_, db := connect(t)
	customers(t, db)
	proxy, c := dialProxy(t, 0)
	plan := mergePlan(t, c, db, "first", model.MergeOptions{})
	u := coll(t, db, "customers")
	var hookErr error
	proxy.arm(faultRule{cmd: "update", nth: 1, mode: hookOnly, hook: func() {
		_, hookErr = u.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: int32(1)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: "Ann Changed"}}}})
	}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || hookErr != nil || !proxy.didFire() {
		t.Fatalf("execute: %v (hook: %v, fired %v)", err, hookErr, proxy.didFire())
	}
	after := rawDocs(t, db, "customers")
	if !equal(keys(after), intIDs(1, 2, 3, 11)) {
		t.Fatalf("left %v", keys(after))
	}
	k := after[`{"$numberInt":"1"}`].String()
	if !strings.Contains(k, "Ann Changed") || strings.Contains(k, "555") || strings.Contains(k, "Oslo") {
		t.Errorf("keeper: %s", k)
	}
	g := rep.Groups[0]
	if g.Outcome != model.Skipped || len(g.Skipped) != 2 || g.Skipped[0].Reason != mongo.ReasonKeeperChangedMerge || len(g.Merged) != 0 {
		t.Errorf("group 1: %+v", g)
	}
	if g := rep.Groups[1]; g.Outcome != model.Deleted || strings.Join(g.Merged, ",") != "phone" || rep.MergedKeepers != 1 {
		t.Errorf("group 2: %+v (merged keepers %d)", g, rep.MergedKeepers)
	}
	if !strings.Contains(after[`{"$numberInt":"11"}`].String(), "777") {
		t.Errorf("keeper 11 not merged: %s", after[`{"$numberInt":"11"}`])
	}
	res, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{})
	kr := res.Files[0].Keepers
	if err != nil || kr == nil || kr.Restored != 1 || len(kr.Changed) != 1 || kr.Changed[0] != `{"$numberInt":"1"}` || res.Inserted != 1 || res.Existing != 2 {
		t.Fatalf("restore: %v %+v %+v", err, res, kr)
	}
	if !strings.Contains(rawDocs(t, db, "customers")[`{"$numberInt":"1"}`].String(), "Ann Changed") {
		t.Error("restore overwrote the changed keeper")
	}
}

// TestMergeWholeDocument: a twice-run import whose second run also recorded a source field:
// the whole-document scan ignoring both finds the pairs, and the merge keeps the source.
func TestMergeWholeDocument(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "p",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "sku", Value: "A"}, {Key: "importedAt", Value: int32(1)}},
		bson.D{{Key: "_id", Value: int32(2)}, {Key: "sku", Value: "A"}, {Key: "importedAt", Value: int32(2)}, {Key: "source", Value: "feed"}},
	)
	ns := model.Namespace{DB: db, Coll: "p"}
	plan := planFor(t, c, ns, model.Key{WholeDocument: true, Ignore: []string{"importedAt", "source"}})
	plan.Merge = &model.MergeOptions{}
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 1 || rep.MergedKeepers != 1 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	if got := rawDocs(t, db, "p")[`{"$numberInt":"1"}`].String(); !strings.Contains(got, `"importedAt": {"$numberInt":"1"},"source": "feed"`) {
		t.Errorf("keeper %s", got)
	}
}
