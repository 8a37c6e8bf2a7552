package mongo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// groupsByKey renders groups as "key -> ids" lines, for exact comparisons.
func groupsByKey(gs []model.Group) map[string]string {
	out := map[string]string{}
	for _, g := range gs {
		keys := make([]string, len(g.Key))
		for i, k := range g.Key {
			keys[i] = k.Display()
		}
		ids := make([]string, len(g.IDs))
		for i, id := range g.IDs {
			ids[i] = id.Display()
		}
		out[strings.Join(keys, ",")] = strings.Join(ids, " ")
	}
	return out
}

func wantGroups(t *testing.T, gs []model.Group, want map[string]string) {
	t.Helper()
	got := groupsByKey(gs)
	if len(got) != len(want) {
		t.Errorf("got %d groups %v, want %d %v", len(got), got, len(want), want)
	}
	for k, ids := range want {
		if got[k] != ids {
			t.Errorf("group %s: got ids [%s], want [%s]", k, got[k], ids)
		}
	}
}

func doc(kv ...any) bson.D {
	var d bson.D
	for i := 0; i < len(kv); i += 2 {
		d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return d
}

func TestScanMultikeyArraysGroupByElement(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "posts",
		doc("_id", 3, "tags", bson.A{"a", "a"}), // repeats "a" in its own array: still one member
		doc("_id", 1, "tags", bson.A{"a", "b"}),
		doc("_id", 2, "tags", bson.A{"b", "c"}),
		doc("_id", 4, "tags", "c"),
		doc("_id", 5, "tags", bson.A{}),
		doc("_id", 6, "tags", bson.A{}),
		doc("_id", 7),
		doc("_id", 8, "tags", nil),
		doc("_id", 9, "tags", bson.A{"z", "z"}), // alone: not its own duplicate
	)
	want := map[string]string{`[]`: "10 11"}
	if mongotest.JavaServer() {
		t.Log("mongo-java-server's $group never finds two [] equal: the [[]] documents run only against MONGODB_URI")
		delete(want, `[]`)
	} else {
		insert(t, db, "posts",
			doc("_id", 10, "tags", bson.A{bson.A{}}), // [[]] holds the value []: not undefined
			doc("_id", 11, "tags", bson.A{bson.A{}, "q"}))
	}
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "posts"}, model.Key{Fields: []string{"tags"}})
	for k, v := range map[string]string{
		`"a"`:       "1 3",
		`"b"`:       "1 2",
		`"c"`:       "2 4",
		`undefined`: "5 6", // an index stores [] as undefined, not as null nor as the value []
		`null`:      "7 8",
	} {
		want[k] = v
	}
	wantGroups(t, gs, want)
}

// Documents MongoDB refuses to index (parallel arrays) are in no group: the scan refuses, naming
// them, and reading on still gives the groups of the others.
func TestScanRefusesUnindexableDocuments(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "t",
		doc("_id", 3, "a", bson.A{1, 2}, "b", bson.A{1}), // two arrays: cannot index parallel arrays
		doc("_id", 1, "a", 1, "b", 1),
		doc("_id", 2, "a", bson.A{1, 5}, "b", 1),
		doc("_id", 4, "a", bson.A{}, "b", bson.A{}), // even empty
	)
	cur, err := c.Scan(context.Background(), model.Namespace{DB: db, Coll: "t"}, model.Key{Fields: []string{"a", "b"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	_, err = cur.NextBatch(context.Background(), 10)
	var ue *mongo.UnindexableError
	if !errors.As(err, &ue) || !errors.Is(err, model.ErrUnindexable) || ue.Count != 2 ||
		!strings.Contains(err.Error(), "_id: 3, 4") || !strings.Contains(err.Error(), "parallel arrays") {
		t.Fatalf("want the scan refused naming _id 3 and 4, got %v", err)
	}
	if u := cur.Unindexable(); u == nil || u.Count != 2 {
		t.Fatalf("Unindexable() = %+v", u)
	}
	gs, err := cur.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantGroups(t, gs, map[string]string{`1,1`: "1 2"})
}

func TestScanDottedPathIntoArrayOfDocuments(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "orders",
		doc("_id", 1, "items", bson.A{doc("sku", "X"), doc("sku", "Y")}),
		doc("_id", 2, "items", bson.A{doc("sku", "Y")}),
		doc("_id", 3, "items", bson.A{doc("sku", "Z")}),
	)
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "orders"}, model.Key{Fields: []string{"items.sku"}})
	wantGroups(t, gs, map[string]string{`"Y"`: "1 2"})
}

func TestScanCompoundKeyAndIDOrder(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "people",
		doc("_id", 30, "name", doc("last", "Lee", "first", "Ann"), "city", "Oslo"),
		doc("_id", 10, "name", doc("last", "Lee", "first", "Ann"), "city", "Oslo"),
		doc("_id", 20, "name", doc("last", "Lee", "first", "Ann"), "city", "Rome"),
		doc("_id", 40, "name", doc("last", "Lee", "first", "Ann"), "city", "Oslo"),
	)
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "people"}, model.Key{Fields: []string{"name.last", "city"}})
	wantGroups(t, gs, map[string]string{`"Lee","Oslo"`: "10 30 40"})
}

func TestScanIgnoreCaseLeavesNonStringsAlone(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "users",
		doc("_id", 1, "email", "A@X.com"),
		doc("_id", 2, "email", "a@x.COM"),
		doc("_id", 3, "email", 5),
		doc("_id", 4, "email", "5"), // $toLower(5) would be "5": numbers must not be lowered
		doc("_id", 5, "email", "b@x.com"),
	)
	ns := model.Namespace{DB: db, Coll: "users"}
	wantGroups(t, scanAll(t, c, ns, model.Key{Fields: []string{"email"}}), map[string]string{})
	wantGroups(t, scanAll(t, c, ns, model.Key{Fields: []string{"email"}, IgnoreCase: true}),
		map[string]string{`"a@x.com"`: "1 2"})

	// Arrays too: elements are folded before the repeats inside one document are dropped.
	insert(t, db, "tags",
		doc("_id", 1, "t", bson.A{"X", "x", 1}), // "X" and "x" are one value once folded
		doc("_id", 2, "t", bson.A{"Y", "x"}),
		doc("_id", 3, "t", bson.A{"y", "1"}),
	)
	wantGroups(t, scanAll(t, c, model.Namespace{DB: db, Coll: "tags"}, model.Key{Fields: []string{"t"}, IgnoreCase: true}),
		map[string]string{`"x"`: "1 2", `"y"`: "2 3"})
}

func TestScanTrim(t *testing.T) {
	key := model.Key{Fields: []string{"email"}, Trim: true, IgnoreCase: true}
	js, err := mongo.PipelineJSON(key)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(js)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(compact.String(), `{"$toLower":{"$trim":{"input":{"$cond":`) {
		t.Errorf("pipeline does not trim then lower-case k0:\n%s", js)
	}
	c, db := connect(t)
	if mongotest.JavaServer() {
		insert(t, db, "users", doc("_id", 1))
		_, err := c.Scan(context.Background(), model.Namespace{DB: db, Coll: "users"}, key)
		if err == nil || !strings.Contains(err.Error(), "$trim") {
			t.Fatalf("mongo-java-server has no $trim: want a clear refusal, got %v", err)
		}
		t.Skip("mongo-java-server has no $trim: the trim behaviour runs only against MONGODB_URI")
	}
	insert(t, db, "users",
		doc("_id", 1, "email", " a@x.com"),
		doc("_id", 2, "email", "A@x.com\t"),
		doc("_id", 3, "email", 7),
	)
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "users"}, key)
	wantGroups(t, gs, map[string]string{`"a@x.com"`: "1 2"})
}

func TestScanFilterAndPartialFilterAndSparse(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "users",
		doc("_id", 1, "email", "a", "active", true),
		doc("_id", 2, "email", "a", "active", false),
		doc("_id", 3, "email", "a", "active", true),
		doc("_id", 4, "active", true),
		doc("_id", 5, "active", true),
		doc("_id", 6, "email", nil, "active", true), // sparse indexes keep explicit nulls
	)
	ns := model.Namespace{DB: db, Coll: "users"}
	wantGroups(t, scanAll(t, c, ns, model.Key{Fields: []string{"email"}}),
		map[string]string{`"a"`: "1 2 3", `null`: "4 5 6"})
	wantGroups(t, scanAll(t, c, ns, model.Key{Fields: []string{"email"}, Filter: `{"_id": {"$gte": 2}}`}),
		map[string]string{`"a"`: "2 3", `null`: "4 5 6"})
	wantGroups(t, scanAll(t, c, ns, model.Key{Fields: []string{"email"}, PartialFilter: `{"active": true}`}),
		map[string]string{`"a"`: "1 3", `null`: "4 5 6"})
	wantGroups(t, scanAll(t, c, ns, model.Key{Fields: []string{"email"}, Sparse: true}),
		map[string]string{`"a"`: "1 2 3"})
}

func TestScanBadFilterSaysSo(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "users", doc("_id", 1))
	_, err := c.Scan(context.Background(), model.Namespace{DB: db, Coll: "users"},
		model.Key{Fields: []string{"email"}, Filter: `{"email": }`})
	if err == nil || !strings.Contains(err.Error(), "--filter") || !strings.Contains(err.Error(), "not a JSON document") {
		t.Fatalf("want a clear --filter error, got %v", err)
	}
	if err := mongo.CheckFilter(`{"a": {"$date": "2024-01-01T00:00:00Z"}}`); err != nil {
		t.Errorf("relaxed Extended JSON refused: %v", err)
	}
	if err := mongo.CheckFilter(`[1]`); err == nil {
		t.Error("an array is not a filter")
	}
}

func TestScanCollation(t *testing.T) {
	key := model.Key{Fields: []string{"email"}, Index: "email_ci", Collation: &model.Collation{Locale: "en", Strength: 2}}
	cmd, err := mongo.MongoshCommand(model.Namespace{DB: "shop", Coll: "users"}, key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cmd, `db.getSiblingDB("shop").getCollection("users").aggregate([`) ||
		!strings.HasSuffix(cmd, `], { "allowDiskUse": true, "collation": { "locale": "en", "strength": 2 } })`) {
		t.Errorf("the command does not carry the collation:\n%s", cmd)
	}
	// Every option the index set travels, and hostile names stay inside their quotes.
	fr := model.Key{Fields: []string{"nom"}, Collation: &model.Collation{Locale: "fr", Strength: 3, CaseFirst: "upper", Backwards: true}}
	cmd, err = mongo.MongoshCommand(model.Namespace{DB: `we"ird`, Coll: `a\b");db.dropDatabase("`}, fr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`db.getSiblingDB("we\"ird").getCollection("a\\b\");db.dropDatabase(\"")`,
		`"locale": "fr"`, `"strength": 3`, `"caseFirst": "upper"`, `"backwards": true`,
	} {
		if !strings.Contains(cmd, want) {
			t.Errorf("the command lacks %s:\n%s", want, cmd)
		}
	}
	if mongotest.JavaServer() {
		t.Skip("mongo-java-server ignores collation: the case-insensitive grouping runs only against MONGODB_URI")
	}
	c, db := connect(t)
	insert(t, db, "users", doc("_id", 1, "email", "A@x.com"), doc("_id", 2, "email", "a@x.com"), doc("_id", 3, "email", "b"))
	if mongotest.FerretDB(t) {
		t.Skip("FerretDB runs no aggregation with a collation: TestScanCollationRefusedOnFerretDB asserts the refusal")
	}
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "users"}, key)
	if len(gs) != 1 || len(gs[0].IDs) != 2 {
		t.Fatalf("want one group of 2 under strength 2, got %v", gs)
	}
}

// FerretDB (DocumentDB) refuses every aggregation with a collation: a scan under an index's
// collation must say so rather than run without it and group differently.
func TestScanCollationRefusedOnFerretDB(t *testing.T) {
	c, db := connect(t)
	if !mongotest.FerretDB(t) {
		t.Skip("the server runs aggregations with a collation: TestScanCollation covers it")
	}
	insert(t, db, "users", doc("_id", 1, "email", "a"))
	key := model.Key{Fields: []string{"email"}, Index: "email_ci", Collation: &model.Collation{Locale: "en", Strength: 2}}
	_, err := c.Scan(context.Background(), model.Namespace{DB: db, Coll: "users"}, key)
	if err == nil || !strings.Contains(err.Error(), "FerretDB") || !strings.Contains(err.Error(), "collation") {
		t.Fatalf("want a clear refusal of the collated scan, got %v", err)
	}
	key.Collation = nil
	scanAll(t, c, model.Namespace{DB: db, Coll: "users"}, key) // the same key without collation runs
}

func TestScanOversizedGroupKeepsItsCount(t *testing.T) {
	c, db := connect(t)
	for i := 1; i <= 7; i++ {
		insert(t, db, "users", doc("_id", i))
	}
	insert(t, db, "users", doc("_id", 8, "email", "a"), doc("_id", 9, "email", "a"))
	ns := model.Namespace{DB: db, Coll: "users"}
	cur, err := c.ScanWith(context.Background(), ns, model.Key{Fields: []string{"email"}}, mongo.ScanOptions{MaxGroupIDs: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	gs, err := cur.All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantGroups(t, gs, map[string]string{`null`: "1 2 3", `"a"`: "8 9"})
	over := cur.Oversized()
	if len(over) != 1 || over[0].Count != 7 || over[0].Listed != 3 || over[0].Key[0] != model.Null {
		t.Fatalf("want the null group reported as 7 documents with 3 listed, got %+v", over)
	}
}

func TestPipelineJSONIsTheScan(t *testing.T) {
	js, err := mongo.PipelineJSON(model.Key{Fields: []string{"email"}})
	if err != nil {
		t.Fatal(err)
	}
	var stages []map[string]any
	if err := json.Unmarshal([]byte(js), &stages); err != nil {
		t.Fatalf("PipelineJSON is not a JSON array: %v\n%s", err, js)
	}
	var names []string
	for _, s := range stages {
		for k := range s {
			names = append(names, k)
		}
	}
	want := "$project $unwind $group $match $project $sort"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("stages %s, want %s", got, want)
	}
	if !strings.Contains(js, `"preserveNullAndEmptyArrays": true`) {
		t.Errorf("unwind drops documents lacking the field:\n%s", js)
	}
}
