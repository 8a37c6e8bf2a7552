package mongo_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// testPlan is a small valid plan for tests that only need one to exist.
func testPlan() model.Plan {
	return model.Plan{
		Version: model.PlanVersion,
		NS:      model.Namespace{DB: "d", Coll: "c"},
		Key:     model.Key{Fields: []string{"k"}},
		Groups:  []model.PlanGroup{model.Decide(model.Group{Key: []model.Value{`"x"`}, IDs: []model.Value{`"a"`, `"b"`}}, 0, model.ByRule)},
	}
}

func TestFetchDocs(t *testing.T) {
	c, db := connect(t)
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	insert(t, db, "t",
		bson.D{{Key: "_id", Value: "a"}, {Key: "n", Value: 1}, {Key: "addr", Value: bson.D{{Key: "city", Value: "Oslo"}, {Key: "geo", Value: bson.D{}}}}},
		bson.D{{Key: "_id", Value: "b"}, {Key: "at", Value: when}, {Key: "tags", Value: bson.A{"x", 2}}},
	)
	ids := make([]model.Value, 0, 2502)
	ids = append(ids, `"b"`, `"gone"`)
	for i := 0; i < 2500; i++ { // several FetchBatchSize batches of ids that match nothing
		ids = append(ids, model.Value(`{"$numberInt":"`+itoa(i)+`"}`))
	}
	ids = append(ids, `"a"`)
	docs, err := c.FetchDocs(context.Background(), model.Namespace{DB: db, Coll: "t"}, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].ID != `"b"` || docs[1].ID != `"a"` {
		t.Fatalf("docs %+v", docs)
	}
	a := docs[1]
	if a.Get("addr.city") != `"Oslo"` || a.Get("addr.geo") != `{}` || a.Get("n") != `{"$numberInt":"1"}` {
		t.Fatalf("flattened a: %+v", a.Fields)
	}
	if b := docs[0]; b.Get("at") != `{"$date":{"$numberLong":"1704164645000"}}` || b.Get("tags") != `["x",{"$numberInt":"2"}]` {
		t.Fatalf("b: %+v", b.Fields)
	}
}

func TestKeepers(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "t",
		bson.D{{Key: "_id", Value: 1}, {Key: "k", Value: "x"}, {Key: "v", Value: 5}},
		bson.D{{Key: "_id", Value: 2}, {Key: "k", Value: "x"}, {Key: "v", Value: 9}, {Key: "extra", Value: true}},
		bson.D{{Key: "_id", Value: 3}, {Key: "k", Value: "x"}},
		bson.D{{Key: "_id", Value: 4}, {Key: "k", Value: "y"}, {Key: "v", Value: 1}},
		bson.D{{Key: "_id", Value: 5}, {Key: "k", Value: "y"}, {Key: "v", Value: 0}},
	)
	ns := model.Namespace{DB: db, Coll: "t"}
	groups := scanAll(t, c, ns, model.Key{Fields: []string{"k"}})
	for rule, want := range map[string][]int{
		"first":       {0, 0},
		"last":        {2, 1},
		"max:v":       {1, 0},
		"min:v":       {0, 1},
		"most-fields": {1, 0},
	} {
		r, _ := model.ParseKeepRule(rule)
		got, err := c.Keepers(context.Background(), ns, r, groups)
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s: keepers %v, want %v", rule, got, want)
		}
	}
}

// max:F where no member of any group holds F is refused, not silently "keep the smallest _id".
func TestKeepersRefuseFieldNoMemberHas(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "t",
		bson.D{{Key: "_id", Value: 1}, {Key: "k", Value: "x"}, {Key: "price", Value: 5}},
		bson.D{{Key: "_id", Value: 2}, {Key: "k", Value: "x"}, {Key: "price", Value: 9}},
	)
	ns := model.Namespace{DB: db, Coll: "t"}
	groups := scanAll(t, c, ns, model.Key{Fields: []string{"k"}})
	_, err := c.Keepers(context.Background(), ns, model.KeepRule{Kind: model.KeepMax, Field: "prise"}, groups)
	var uf *model.UnknownFieldError
	if !errors.As(err, &uf) || uf.Field != "prise" || uf.In != model.InGroups {
		t.Fatalf("max:prise: %v", err)
	}
	if _, err := c.Keepers(context.Background(), ns, model.KeepRule{Kind: model.KeepMax, Field: "price"}, groups); err != nil {
		t.Fatalf("max:price: %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestFieldNamesWithDots: a field named "a.b" is read as that field, apart from the path a.b
// of a sub-document, and the field sample does not offer it as a key (no index can key it).
func TestFieldNamesWithDots(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "users", bson.D{{Key: "_id", Value: int32(1)}, {Key: "email", Value: "a@x.com"},
		{Key: "a.b", Value: int32(1)}, {Key: "a", Value: bson.D{{Key: "b", Value: int32(2)}}},
		{Key: "sub", Value: bson.D{{Key: "c.d", Value: "x"}}}})
	ns := model.Namespace{DB: db, Coll: "users"}
	docs, err := c.FetchDocs(context.Background(), ns, []model.Value{`{"$numberInt":"1"}`})
	if err != nil || len(docs) != 1 {
		t.Fatalf("fetch: %v %v", docs, err)
	}
	d := docs[0]
	if d.Get(`["a.b"]`) != `{"$numberInt":"1"}` || d.Get("a.b") != `{"$numberInt":"2"}` || d.Get(`sub.["c.d"]`) != `"x"` {
		t.Fatalf("fields %+v", d.Fields)
	}
	want := `{"_id":{"$numberInt":"1"},"email":"a@x.com","a.b":{"$numberInt":"1"},"a":{"b":{"$numberInt":"2"}},"sub":{"c.d":"x"}}`
	if got := string(model.DocJSON(d)); got != want {
		t.Errorf("rebuilt\n got %s\nwant %s", got, want)
	}
	fields, err := c.SampleFields(context.Background(), ns, 10)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range fields {
		paths = append(paths, f.Path)
	}
	if got := strings.Join(paths, " "); got != "_id email a a.b sub" {
		t.Errorf("sampled paths %q, want the dotted names left out", got)
	}
}
