package mongo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// handPlan builds a plan from a collection's documents without the scan, so executor tests
// do not depend on the scan pipeline (tested on its own in scan_test.go): documents that pass
// the key's filter, grouped by the exact values of the key's top-level fields, keeping the
// smallest _id. Only keys whose values are top-level scalars are accepted.
func handPlan(t testing.TB, db, coll string, key model.Key) model.Plan {
	t.Helper()
	if key.IgnoreCase || key.Trim || key.Sparse || key.Collation != nil {
		t.Fatalf("handPlan groups by exact values only, not by key %s", key.Semantics())
	}
	q := bson.D{}
	if key.Filter != "" {
		if err := bson.UnmarshalExtJSON([]byte(key.Filter), false, &q); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	cur, err := mongotest.Client(t).Database(db).Collection(coll).Find(ctx, q, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		t.Fatalf("find: %v", err)
	}
	defer cur.Close(ctx)
	byKey := map[string]int{}
	var groups []model.Group
	for cur.Next(ctx) {
		var vals []model.Value
		for _, f := range key.Fields {
			if strings.Contains(f, ".") {
				t.Fatalf("handPlan: dotted key field %q", f)
			}
			rv, err := cur.Current.LookupErr(f)
			switch {
			case err != nil:
				vals = append(vals, model.Null)
			case rv.Type == bson.TypeArray || rv.Type == bson.TypeEmbeddedDocument:
				t.Fatalf("handPlan: key field %q holds a %s", f, rv.Type)
			default:
				vals = append(vals, extJSON(t, rv))
			}
		}
		k := strings.Join(func() []string {
			var s []string
			for _, v := range vals {
				s = append(s, string(v))
			}
			return s
		}(), "\x00")
		i, ok := byKey[k]
		if !ok {
			i = len(groups)
			byKey[k] = i
			groups = append(groups, model.Group{Key: vals})
		}
		groups[i].IDs = append(groups[i].IDs, extJSON(t, cur.Current.Lookup("_id")))
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	p := model.Plan{Version: model.PlanVersion, NS: model.Namespace{DB: db, Coll: coll}, Key: key, Rule: "first", CreatedAt: time.Now()}
	for _, g := range groups {
		if len(g.IDs) > 1 {
			p.Groups = append(p.Groups, model.Decide(g, 0, model.ByRule))
		}
	}
	if len(p.Groups) == 0 {
		t.Fatalf("no duplicates in %s.%s", db, coll)
	}
	return p
}

// extJSON is a value as canonical Extended JSON, the form plans hold.
func extJSON(t testing.TB, rv bson.RawValue) model.Value {
	js, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: rv}}, true, false)
	if err != nil {
		t.Fatal(err)
	}
	s := string(js)
	return model.Value(s[len(`{"v":`) : len(s)-1])
}
