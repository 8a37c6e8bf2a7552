package mongo_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// connect opens the adapter on the live server and gives the test a fresh database.
func connect(t *testing.T) (*mongo.Client, string) {
	t.Helper()
	db := mongotest.DB(t)
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{})
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c, db.Name()
}

func insert(t *testing.T, db, coll string, docs ...bson.D) {
	t.Helper()
	ds := make([]any, len(docs))
	for i, d := range docs {
		ds[i] = d
	}
	mongotest.InsertMany(t, mongotest.Client(t).Database(db).Collection(coll), ds)
}

func scanAll(t *testing.T, c *mongo.Client, ns model.Namespace, key model.Key) []model.Group {
	t.Helper()
	cur, err := c.Scan(context.Background(), ns, key)
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	defer cur.Close(context.Background())
	gs, err := cur.All(context.Background())
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return gs
}

func TestScanMissingEqualsNull(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "users",
		bson.D{{Key: "_id", Value: 1}, {Key: "email", Value: "a@x.com"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "email", Value: "a@x.com"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "email", Value: "b@x.com"}},
		bson.D{{Key: "_id", Value: 4}},
		bson.D{{Key: "_id", Value: 5}, {Key: "email", Value: nil}},
	)
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "users"}, model.Key{Fields: []string{"email"}})
	// 4 lacks email, 5 holds null: a unique index on email rejects them both, as one group.
	want := []model.Group{
		{Key: []model.Value{`null`}, IDs: []model.Value{`{"$numberInt":"4"}`, `{"$numberInt":"5"}`}},
		{Key: []model.Value{`"a@x.com"`}, IDs: []model.Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`}},
	}
	if !reflect.DeepEqual(gs, want) {
		t.Fatalf("groups\n got %v\nwant %v", gs, want)
	}
}

func TestScanCompoundAndDottedKey(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "people",
		bson.D{{Key: "_id", Value: 1}, {Key: "last", Value: "Lee"}, {Key: "addr", Value: bson.D{{Key: "zip", Value: "0150"}}}},
		bson.D{{Key: "_id", Value: 2}, {Key: "last", Value: "Lee"}, {Key: "addr", Value: bson.D{{Key: "zip", Value: "0150"}}}},
		bson.D{{Key: "_id", Value: 3}, {Key: "last", Value: "Lee"}, {Key: "addr", Value: bson.D{{Key: "zip", Value: "0151"}}}},
		bson.D{{Key: "_id", Value: 4}, {Key: "last", Value: "Kim"}, {Key: "addr", Value: bson.D{{Key: "zip", Value: "0150"}}}},
		bson.D{{Key: "_id", Value: 5}, {Key: "last", Value: "Kim"}},
		bson.D{{Key: "_id", Value: 6}, {Key: "last", Value: "Kim"}, {Key: "addr", Value: bson.D{{Key: "zip", Value: nil}}}},
	)
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "people"}, model.Key{Fields: []string{"last", "addr.zip"}})
	// (Kim, null) holds 5 (addr missing) and 6 (zip null); (Lee, "0150") holds 1 and 2.
	want := []model.Group{
		{Key: []model.Value{`"Kim"`, `null`}, IDs: []model.Value{`{"$numberInt":"5"}`, `{"$numberInt":"6"}`}},
		{Key: []model.Value{`"Lee"`, `"0150"`}, IDs: []model.Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`}},
	}
	if !reflect.DeepEqual(gs, want) {
		t.Fatalf("groups\n got %v\nwant %v", gs, want)
	}
}

func TestScanNullVersusValueTypes(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "t",
		bson.D{{Key: "_id", Value: 1}, {Key: "k", Value: "1"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "k", Value: 1}},
		bson.D{{Key: "_id", Value: 3}, {Key: "k", Value: false}},
		bson.D{{Key: "_id", Value: 4}, {Key: "k", Value: ""}},
	)
	// The string "1", the number 1, false, "" and null are all distinct keys: no groups.
	if gs := scanAll(t, c, model.Namespace{DB: db, Coll: "t"}, model.Key{Fields: []string{"k"}}); len(gs) != 0 {
		t.Fatalf("distinct values grouped: %v", gs)
	}
}

// TestScanValueClassesStayApart covers the plain key's group _id on mongo-java-server, where
// documents, ObjectIds, booleans and MaxKey are wrapped in {k: value} and strings are not: a
// string never meets a document that holds it, and each class still groups with itself.
func TestScanValueClassesStayApart(t *testing.T) {
	c, db := connect(t)
	oid := bson.NewObjectID()
	insert(t, db, "t",
		bson.D{{Key: "_id", Value: 1}, {Key: "a", Value: "x"}},
		bson.D{{Key: "_id", Value: 2}, {Key: "a", Value: "x"}},
		bson.D{{Key: "_id", Value: 3}, {Key: "a", Value: bson.D{{Key: "k", Value: "x"}}}},
		bson.D{{Key: "_id", Value: 4}, {Key: "a", Value: bson.D{{Key: "k", Value: "x"}}}},
		bson.D{{Key: "_id", Value: 5}, {Key: "a", Value: oid}},
		bson.D{{Key: "_id", Value: 6}, {Key: "a", Value: oid}},
		bson.D{{Key: "_id", Value: 7}, {Key: "a", Value: bson.MaxKey{}}},
		bson.D{{Key: "_id", Value: 8}, {Key: "a", Value: bson.A{}}},
		bson.D{{Key: "_id", Value: 9}, {Key: "a", Value: true}},
		bson.D{{Key: "_id", Value: 10}, {Key: "a", Value: true}},
		bson.D{{Key: "_id", Value: 11}, {Key: "a", Value: 7}},
		bson.D{{Key: "_id", Value: 12}, {Key: "a", Value: bson.D{{Key: "k", Value: 7}}}},
	)
	got := map[model.Value][]model.Value{}
	for _, g := range scanAll(t, c, model.Namespace{DB: db, Coll: "t"}, model.Key{Fields: []string{"a"}}) {
		got[g.Key[0]] = g.IDs
	}
	want := map[model.Value][]model.Value{
		`"x"`:       {`{"$numberInt":"1"}`, `{"$numberInt":"2"}`},
		`{"k":"x"}`: {`{"$numberInt":"3"}`, `{"$numberInt":"4"}`},
		model.Value(`{"$oid":"` + oid.Hex() + `"}`): {`{"$numberInt":"5"}`, `{"$numberInt":"6"}`},
		`true`: {`{"$numberInt":"9"}`, `{"$numberInt":"10"}`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("groups\n got %v\nwant %v", got, want)
	}
}

func TestScanGroupLargerThanABatch(t *testing.T) {
	c, db := connect(t)
	const members = 2500 // more than a cursor batch (101 documents by default, ScanBatchSize groups)
	docs := make([]bson.D, 0, members)
	for i := members; i > 0; i-- { // inserted in reverse: the scan must still order by _id
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "email", Value: "same@x.com"}})
	}
	insert(t, db, "big", docs...)
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "big"}, model.Key{Fields: []string{"email"}})
	if len(gs) != 1 || gs[0].Count() != members {
		t.Fatalf("want one group of %d, got %d groups", members, len(gs))
	}
	for i, id := range gs[0].IDs {
		if want := model.Value(`{"$numberInt":"` + strconv.Itoa(i+1) + `"}`); id != want {
			t.Fatalf("id %d = %s, want %s (ids must be in _id order)", i, id, want)
		}
	}
}

func TestScan100kDocuments(t *testing.T) {
	c, db := connect(t)
	const n = 100_000
	docs := make([]bson.D, 0, n)
	want := map[int]int{}
	for i := 0; i < n; i++ {
		k := i % 70_000 // keys 0..29 999 appear twice, the rest once
		want[k]++
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "sku", Value: k}})
	}
	insert(t, db, "items", docs...)
	var wantSum model.Summary
	for _, cnt := range want {
		if cnt > 1 {
			wantSum.Add(model.Group{IDs: make([]model.Value, cnt)})
		}
	}
	cur, err := c.Scan(context.Background(), model.Namespace{DB: db, Coll: "items"}, model.Key{Fields: []string{"sku"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(context.Background())
	var got model.Summary
	batches := 0
	for {
		gs, err := cur.NextBatch(context.Background(), 1000)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		batches++
		for _, g := range gs {
			got.Add(g)
		}
	}
	if got != wantSum || got.Groups != 30_000 {
		t.Fatalf("summary %+v, want %+v", got, wantSum)
	}
	if batches < 30 {
		t.Fatalf("%d batches of at most 1000 groups for 30 000 groups", batches)
	}
}

func TestScanCancel(t *testing.T) {
	c, db := connect(t)
	docs := make([]bson.D, 0, 5000)
	for i := 0; i < 5000; i++ {
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "k", Value: i % 2000}})
	}
	insert(t, db, "t", docs...)
	ctx, cancel := context.WithCancel(context.Background())
	cur, err := c.Scan(ctx, model.Namespace{DB: db, Coll: "t"}, model.Key{Fields: []string{"k"}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := cur.NextBatch(ctx, 10)
	if err != nil || len(first) != 10 {
		t.Fatalf("first batch: %d groups, %v", len(first), err)
	}
	cancel()
	if _, err := cur.NextBatch(ctx, 10); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("NextBatch after cancel: %v", err)
	}
	if err := cur.Close(context.Background()); err != nil {
		t.Fatalf("close after cancel: %v", err)
	}
	// A scan started on a cancelled context fails at once.
	if _, err := c.Scan(ctx, model.Namespace{DB: db, Coll: "t"}, model.Key{Fields: []string{"k"}}); err == nil {
		t.Fatal("scan on a cancelled context started")
	}
}

func TestScanErrors(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "t", bson.D{{Key: "k", Value: 1}})
	ns := model.Namespace{DB: db, Coll: "t"}
	for name, key := range map[string]model.Key{
		"no fields":  {},
		"bad path":   {Fields: []string{"$k"}},
		"bad filter": {Fields: []string{"k"}, Filter: `{"a":`},
	} {
		if _, err := c.Scan(context.Background(), ns, key); err == nil {
			t.Errorf("%s: scan started", name)
		}
	}
	if _, err := c.Scan(context.Background(), model.Namespace{DB: db, Coll: "missing"}, model.Key{Fields: []string{"k"}}); err == nil ||
		!strings.Contains(err.Error(), "no such collection") {
		t.Errorf("missing collection: %v", err)
	}
}

func TestPipelineJSON(t *testing.T) {
	js, err := mongo.PipelineJSON(model.Key{Fields: []string{"email"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"$unwind"`, `"$email"`, `"$push": "$_id"`, `"$gt": 1`} {
		if !strings.Contains(js, want) {
			t.Errorf("pipeline lacks %s:\n%s", want, js)
		}
	}
	if !strings.HasPrefix(js, "[") || !strings.HasSuffix(js, "]") || strings.Contains(js, `"p"`) {
		t.Errorf("pipeline is not a bare array:\n%s", js)
	}
}
