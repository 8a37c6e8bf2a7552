package memstore

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/dupes-tui/dupes/model"
)

var ctx = context.Background()

func scanAll(t *testing.T, s *Store, ns model.Namespace, k model.Key) []model.Group {
	t.Helper()
	cur, err := s.Scan(ctx, ns, k)
	if err != nil {
		t.Fatal(err)
	}
	var all []model.Group
	for {
		gs, err := cur.NextBatch(ctx, 2)
		all = append(all, gs...)
		if errors.Is(err, io.EOF) {
			return all
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func users() (*Store, model.Namespace) {
	s := New()
	ns := model.Namespace{DB: "d", Coll: "u"}
	id := func(n string) model.Value { return model.Value(`{"$numberInt":"` + n + `"}`) }
	s.Insert(ns,
		doc(id("1"), f("email", str("a@x.com"))),
		doc(id("2"), f("email", str("A@x.com "))),
		doc(id("3"), f("email", str("a@x.com")), f("n", num(5))),
		doc(id("4")),
		doc(id("5"), f("email", model.Null)),
		doc(id("6"), f("email", str("b@x.com"))),
	)
	return s, ns
}

func TestScanSemantics(t *testing.T) {
	s, ns := users()
	gs := scanAll(t, s, ns, model.Key{Fields: []string{"email"}})
	if len(gs) != 2 || gs[0].Key[0] != model.Null || len(gs[0].IDs) != 2 || len(gs[1].IDs) != 2 {
		t.Fatalf("exact: %v (missing and null must collide)", gs)
	}
	gs = scanAll(t, s, ns, model.Key{Fields: []string{"email"}, IgnoreCase: true, Trim: true})
	if len(gs) != 2 || len(gs[1].IDs) != 3 || gs[1].Key[0] != `"a@x.com"` {
		t.Fatalf("ignore case + trim: %v", gs)
	}
	gs = scanAll(t, s, ns, model.Key{Fields: []string{"email"}, Sparse: true})
	if len(gs) != 1 || gs[0].Key[0] != `"a@x.com"` {
		// A sparse index skips the document lacking the field (4); the explicit null (5) is
		// then alone.
		t.Fatalf("sparse: %v", gs)
	}
	gs = scanAll(t, s, ns, model.Key{Fields: []string{"email"}, Filter: `{"n": {"$numberInt": "5"}}`})
	if len(gs) != 0 {
		t.Fatalf("filter: %v", gs)
	}
	if _, err := s.Scan(ctx, ns, model.Key{Fields: []string{"email"}, Filter: `{"$or": []}`}); err == nil {
		t.Fatal("an operator filter was accepted")
	}
	if _, err := s.Scan(ctx, model.Namespace{DB: "d", Coll: "none"}, model.Key{Fields: []string{"x"}}); err == nil {
		t.Fatal("scan of a missing collection")
	}
}

func TestScanCancel(t *testing.T) {
	s, ns := users()
	s.Delay = 1 << 62
	cur, err := s.Scan(ctx, ns, model.Key{Fields: []string{"email"}})
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := cur.NextBatch(c, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want cancelled", err)
	}
}

func TestExecuteGuardsAndBacksUp(t *testing.T) {
	s, ns := users()
	k := model.Key{Fields: []string{"email"}}
	gs := scanAll(t, s, ns, k)
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: k}
	for _, g := range gs {
		plan.Groups = append(plan.Groups, model.Decide(g, 0, model.ByRule))
	}
	// The second "a@x.com" changes its email behind dupes' back: it must be skipped.
	s.mu.Lock()
	c := s.colls[ns]
	for i, d := range c.docs {
		if d.ID == gs[1].IDs[1] {
			c.docs[i].Fields[1].Value = str("changed@x.com")
		}
	}
	s.mu.Unlock()
	var prog []model.Progress
	rep, err := s.Execute(ctx, plan, "", model.Pace{}, func(p model.Progress) { prog = append(prog, p) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != 1 || rep.SkippedDocs != 1 || rep.Groups[1].Skipped[0].Reason != model.ReasonKeyChanged {
		t.Fatalf("report %+v", rep)
	}
	if len(s.Backup(rep.BackupPath)) != 1 || len(prog) != 1 || prog[0].DocsDeleted != 1 {
		t.Fatalf("backup %v progress %v", s.Backup(rep.BackupPath), prog)
	}
	if len(s.Docs(ns)) != 5 {
		t.Fatalf("%d documents left", len(s.Docs(ns)))
	}
}

func TestExecuteRefusesViewsAndStopsOnCancel(t *testing.T) {
	s := Demo()
	view := model.Namespace{DB: "shop", Coll: "active_users"}
	p := model.Plan{Version: model.PlanVersion, NS: view, Key: model.Key{Fields: []string{"x"}},
		Groups: []model.PlanGroup{{Key: []model.Value{model.Null}, Keep: "1", Delete: []model.Value{"2"}}}}
	if _, err := s.Execute(ctx, p, "", model.Pace{}, nil); err == nil {
		t.Fatal("executed against a view")
	}
	users := model.Namespace{DB: "shop", Coll: "users"}
	k := model.Key{Fields: []string{"email"}}
	gs := scanAll(t, s, users, k)
	p = model.Plan{Version: model.PlanVersion, NS: users, Key: k}
	for _, g := range gs {
		p.Groups = append(p.Groups, model.Decide(g, 0, model.ByRule))
	}
	s.ExecBatch = 1
	c, cancel := context.WithCancel(ctx)
	rep, err := s.Execute(c, p, "", model.Pace{}, func(model.Progress) { cancel() })
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Cancelled || rep.NotReached != len(gs)-1 || rep.Groups[0].Outcome != model.Deleted {
		t.Fatalf("cancel: %+v", rep)
	}
}

func TestDemoData(t *testing.T) {
	s := Demo()
	dbs, _ := s.Databases(ctx)
	if len(dbs) != 2 {
		t.Fatalf("databases %v", dbs)
	}
	contacts := scanAll(t, s, model.Namespace{DB: "crm", Coll: "contacts"}, model.Key{Fields: []string{"lastName", "firstName", "birthDate"}})
	byName := scanAll(t, s, model.Namespace{DB: "crm", Coll: "contacts"}, model.Key{Fields: []string{"lastName", "firstName"}})
	if len(contacts) == 0 {
		t.Fatal("no compound-key duplicates in the demo")
	}
	if model.Summarize(byName).Surplus <= model.Summarize(contacts).Surplus {
		t.Fatal("the compound key should separate the two John Smiths")
	}
	fields, _ := s.SampleFields(ctx, model.Namespace{DB: "shop", Coll: "users"}, 0)
	if fields[0].Path != "_id" || fields[0].Types[0] != "objectId" {
		t.Fatalf("fields %v", fields)
	}
	for _, f := range fields {
		if f.Path == "email" && f.Types[0] != "string" {
			t.Fatalf("email types %v", f.Types)
		}
	}
}

// TestScanUsesIndexKeys: the store groups as a unique index collides, through model.IndexKeys:
// arrays are multikey, numbers compare by value, an empty array is not null, strings compare
// by the key's collation, and a document MongoDB cannot index belongs to no group.
func TestScanUsesIndexKeys(t *testing.T) {
	s := New()
	ns := model.Namespace{DB: "d", Coll: "t"}
	s.Insert(ns,
		doc(num(1), f("tags", `["a",{"$numberInt":"7"}]`)),
		doc(num(2), f("tags", `[{"$numberDouble":"7.0"}]`)),
		doc(num(3), f("tags", `["a"]`)),
		doc(num(4), f("tags", `[]`)),
		doc(num(5), f("tags", model.Null)),
		doc(num(6), f("name", str("Éve")), f("n.x", num(1))),
		doc(num(7), f("name", str("éve")), f("n.x", num(1))),
	)
	gs := scanAll(t, s, ns, model.Key{Fields: []string{"tags"}})
	// null (5, 6, 7 lack tags or hold null), 7 (1, 2), "a" (1, 3); [] is undefined, alone.
	if len(gs) != 3 || len(gs[0].IDs) != 3 || gs[1].Key[0] != `{"$numberInt":"7"}` || len(gs[2].IDs) != 2 {
		t.Fatalf("multikey: %v", gs)
	}
	ci := model.Key{Fields: []string{"name", "n.x"}, Collation: &model.Collation{Locale: "en", Strength: 2}}
	if gs := scanAll(t, s, ns, ci); len(gs) != 2 || len(gs[1].IDs) != 2 || gs[1].Key[0] != `"Éve"` {
		t.Fatalf("collation, dotted path: %v", gs)
	}
	if _, err := s.Scan(ctx, ns, model.Key{Fields: []string{"name"}, Collation: &model.Collation{Locale: "en", NumericOrdering: true}}); err == nil {
		t.Fatal("a collation dupes cannot decide exactly was accepted")
	}
}

// TestExecuteMerges: a merging plan fills the keeper's missing and null fields from the members
// it deletes (a sub-document flattened as the store keeps documents, arrays united), keeps the
// keeper's before-image, and backs the members up; a keeper that gains nothing is left alone.
func TestExecuteMerges(t *testing.T) {
	s := New()
	ns := model.Namespace{DB: "t", Coll: "people"}
	id := func(n int) model.Value { return num(n) }
	s.Insert(ns,
		doc(id(1), f("email", str("a@x")), f("phone", model.Null), f("tags", model.Value(`["a"]`))),
		doc(id(2), f("email", str("a@x")), f("phone", str("555")), f("address.city", str("Paris")), f("tags", model.Value(`["b","a"]`))),
		doc(id(3), f("email", str("b@x")), f("phone", str("1"))),
		doc(id(4), f("email", str("b@x"))))
	k := model.Key{Fields: []string{"email"}}
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: k, Merge: &model.MergeOptions{Arrays: true}, Groups: []model.PlanGroup{
		{Key: []model.Value{str("a@x")}, Keep: id(1), Delete: []model.Value{id(2)}, Decision: model.ByRule},
		{Key: []model.Value{str("b@x")}, Keep: id(3), Delete: []model.Value{id(4)}, Decision: model.ByRule}}}
	pre, err := s.MergePreview(context.Background(), ns, plan.MergeRule(), *plan.Merge, id(1), []model.Value{id(2)})
	if err != nil || !pre.Gained("phone") || !pre.Gained("address") || !pre.Gained("tags") || pre.Gained("email") {
		t.Fatalf("preview: %+v, %v", pre, err)
	}
	rep, err := s.Execute(context.Background(), plan, "", model.Pace{}, nil)
	if err != nil || rep.Deleted != 2 || rep.MergedKeepers != 1 {
		t.Fatalf("run: %+v, %v", rep, err)
	}
	docs := s.Docs(ns)
	if len(docs) != 2 {
		t.Fatalf("left: %v", docs)
	}
	kept := docs[0]
	if kept.Get("phone") != str("555") || kept.Get("address.city") != str("Paris") || kept.Get("tags") != model.Value(`["a","b"]`) {
		t.Fatalf("merged keeper: %+v", kept)
	}
	if before := s.KeeperBackup(rep.BackupPath); len(before) != 1 || before[0].Get("phone") != model.Null {
		t.Fatalf("before-image: %+v", before)
	}
	if docs[1].Get("phone") != str("1") || len(s.Backup(rep.BackupPath)) != 2 {
		t.Fatalf("second group: %+v, backup %v", docs[1], s.Backup(rep.BackupPath))
	}
}
