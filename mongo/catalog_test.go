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
	skipWithoutViews(t, c)
	if err := mongotest.Client(t).Database(db).CreateView(ctx, "active", "users", bson.A{}); err != nil {
		t.Fatalf("create view: %v", err)
	}
	col, err := c.Collection(ctx, model.Namespace{DB: db, Coll: "active"})
	if err != nil {
		t.Fatal(err)
	}
	if col.Type != model.TypeView || col.Count != -1 || col.CanDelete() == nil {
		t.Fatalf("view listed as %+v", col)
	}
}

func TestIndexes(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	insert(t, db, "users", bson.D{{Key: "email", Value: "a"}})
	// sparse and partialFilterExpression in one index are refused by MongoDB (67) and
	// FerretDB (197): each gets an index of its own.
	_, err := mongotest.Client(t).Database(db).Collection("users").Indexes().CreateMany(ctx, []driver.IndexModel{
		{Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).
			SetPartialFilterExpression(bson.D{{Key: "active", Value: true}}).SetName("email_active")},
		{Keys: bson.D{{Key: "nick", Value: 1}}, Options: options.Index().SetUnique(true).SetSparse(true)},
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
	partial := byName["email_active"]
	if !partial.Unique || partial.Sparse || partial.PartialFilter != `{"active":true}` || partial.Collation != nil {
		t.Fatalf("email_active = %+v", partial)
	}
	if key := partial.Key(); key.Index != "email_active" || key.Sparse || key.PartialFilter == "" {
		t.Fatalf("index key %+v", key)
	}
	if sparse := byName["nick_1"]; !sparse.Unique || !sparse.Sparse || sparse.PartialFilter != "" || !sparse.Key().Sparse {
		t.Fatalf("nick_1 = %+v", sparse)
	}
	compound := byName["last_1_first_-1"]
	if !compound.Unique || len(compound.Fields) != 2 || compound.Fields[1] != "first" {
		t.Fatalf("compound = %+v", compound)
	}
	// listIndexes does not mark _id_ unique, but it is, and explain-error relies on knowing so.
	if id := byName["_id_"]; !id.Unique || len(id.Fields) != 1 || id.Fields[0] != "_id" {
		t.Fatalf("_id_ = %+v, want a unique index on _id", id)
	}
}

// An index's collation becomes the key's, so a scan from it compares as the index does.
func TestIndexesCollation(t *testing.T) {
	c, db := connect(t)
	skipWithoutCollation(t, c)
	ctx := context.Background()
	insert(t, db, "users", bson.D{{Key: "email", Value: "a"}})
	_, err := mongotest.Client(t).Database(db).Collection("users").Indexes().CreateOne(ctx, driver.IndexModel{
		Keys: bson.D{{Key: "email", Value: 1}}, Options: options.Index().SetUnique(true).
			SetCollation(&options.Collation{Locale: "en", Strength: 2}).SetName("email_ci")})
	if err != nil {
		t.Fatalf("create index: %v", err)
	}
	ixs, err := c.Indexes(ctx, model.Namespace{DB: db, Coll: "users"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range ixs {
		if ix.Name == "email_ci" {
			if !ix.Unique || !ix.Collation.CaseInsensitive() || ix.Collation.Locale != "en" || ix.Key().Collation == nil {
				t.Fatalf("email_ci = %+v (collation %+v)", ix, ix.Collation)
			}
			return
		}
	}
	t.Fatalf("no email_ci among %+v", ixs)
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
