package mongo_test

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func TestDatabasesAndCollections(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	insert(t, db, "users", bson.D{{Key: "a", Value: 1}}, bson.D{{Key: "a", Value: 2}}, bson.D{{Key: "a", Value: 3}})
	insert(t, db, "orders", bson.D{{Key: "n", Value: 1}})

	dbs, err := c.Databases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range dbs {
		found = found || d.Name == db
	}
	if !found {
		t.Fatalf("database %s not listed in %v", db, dbs)
	}

	cols, err := c.Collections(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 2 || cols[0].NS.Coll != "orders" || cols[1].NS.Coll != "users" {
		t.Fatalf("collections %+v", cols)
	}
	if cols[1].Count != 3 || cols[1].Type != model.TypeCollection || cols[1].CanDelete() != nil {
		t.Fatalf("users: %+v", cols[1])
	}

	if _, err := c.Collection(ctx, model.Namespace{DB: db, Coll: "nope"}); err == nil {
		t.Fatal("a missing collection was found")
	}
}

func TestView(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	insert(t, db, "users", bson.D{{Key: "a", Value: 1}})
	if err := mongotest.Client(t).Database(db).CreateView(ctx, "active", "users", bson.A{}); err != nil {
		t.Fatalf("create view: %v", err)
	}
	col, err := c.Collection(ctx, model.Namespace{DB: db, Coll: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if mongotest.JavaServer() {
		// mongo-java-server accepts createView but lists the view as an ordinary collection,
		// so the type check below can only run on a real server.
		t.Logf("mongo-java-server lists views as %q; view detection is checked on a real server", col.Type)
		return
	}
	if col.Type != model.TypeView || col.Count != -1 || col.CanDelete() == nil {
		t.Fatalf("view listed as %+v", col)
	}
}

func TestIndexes(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	insert(t, db, "users", bson.D{{Key: "email", Value: "a"}})
	_, err := mongotest.Client(t).Database(db).Collection("users").Indexes().CreateMany(ctx, []driver.IndexModel{
		{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).SetSparse(true).
			SetPartialFilterExpression(bson.D{{Key: "active", Value: true}}).
			SetCollation(&options.Collation{Locale: "en", Strength: 2}).SetName("email_ci")},
		{Keys: bson.D{{Key: "last", Value: 1}, {Key: "first", Value: -1}}, Options: options.Index().SetUnique(true)},
	})
	if err != nil {
		t.Fatalf("create indexes: %v", err)
	}
	ixs, err := c.Indexes(ctx, model.Namespace{DB: db, Coll: "users"})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]model.Index{}
	for _, ix := range ixs {
		byName[ix.Name] = ix
	}
	ci := byName["email_ci"]
	if !ci.Unique || !ci.Sparse || ci.PartialFilter != `{"active":true}` || !ci.Collation.CaseInsensitive() || ci.Collation.Locale != "en" {
		t.Fatalf("email_ci = %+v (collation %+v)", ci, ci.Collation)
	}
	compound := byName["last_1_first_-1"]
	if !compound.Unique || len(compound.Fields) != 2 || compound.Fields[1] != "first" {
		t.Fatalf("compound = %+v", compound)
	}
	// listIndexes does not mark _id_ unique, but it is, and explain-error relies on knowing so.
	if id := byName["_id_"]; !id.Unique || len(id.Fields) != 1 || id.Fields[0] != "_id" {
		t.Fatalf("_id_ = %+v, want a unique index on _id", id)
	}
	key := ci.Key()
	if key.Index != "email_ci" || !key.Sparse || key.PartialFilter == "" || key.Collation == nil {
		t.Fatalf("index key %+v", key)
	}
}

func TestSampleFields(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "people",
		bson.D{{Key: "name", Value: "a"}, {Key: "address", Value: bson.D{{Key: "city", Value: "Oslo"}}}, {Key: "tags", Value: bson.A{bson.D{{Key: "k", Value: 1}}}}},
		bson.D{{Key: "name", Value: "b"}, {Key: "address", Value: bson.D{{Key: "city", Value: 7}}}},
		bson.D{{Key: "name", Value: 3}},
		bson.D{{Key: "name", Value: "d"}},
	)
	fields, err := c.SampleFields(context.Background(), model.Namespace{DB: db, Coll: "people"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]model.FieldInfo{}
	for _, f := range fields {
		got[f.Path] = f
	}
	if f := got["name"]; f.Present != 4 || f.Sampled != 4 || len(f.Types) != 2 || f.Types[0] != "string" || f.Types[1] != "int" {
		t.Errorf("name: %+v", f)
	}
	if f := got["address.city"]; f.Present != 2 || f.FillRate() != 0.5 {
		t.Errorf("address.city: %+v", f)
	}
	if f := got["tags.k"]; f.Present != 1 {
		t.Errorf("tags.k (inside an array): %+v", f)
	}
	if fields[0].Path != "_id" && fields[0].Path != "name" {
		t.Errorf("most filled first: %+v", fields[0])
	}
}
