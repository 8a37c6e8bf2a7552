package mongo_test

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A collection's default collation is what a unique index built on it without one compares
// under, so the catalog must read it (and a collection without one reads as nil).
func TestCollectionDefaultCollation(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	insert(t, db, "plain", bson.D{{Key: "a", Value: 1}})
	plain, err := c.Collection(ctx, model.Namespace{DB: db, Coll: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	if plain.Collation != nil {
		t.Fatalf("a collection without a collation read as %+v", plain.Collation)
	}
	err = mongotest.Client(t).Database(db).CreateCollection(ctx, "folded",
		options.CreateCollection().SetCollation(&options.Collation{Locale: "en", Strength: 2}))
	if err != nil {
		mongotest.Skipf(t, "the engine cannot create a collection with a default collation: %v", err)
	}
	col, err := c.Collection(ctx, model.Namespace{DB: db, Coll: "folded"})
	if err != nil {
		t.Fatal(err)
	}
	if col.Collation == nil {
		e, _ := c.Engine(ctx)
		if !e.Collation || e.Name == "mongo-java-server" {
			mongotest.Skipf(t, "%s accepted the collation but does not list it", e)
		}
		t.Fatalf("the default collation of %s was not read", col.NS)
	}
	if col.Collation.Locale != "en" || col.Collation.Strength != 2 {
		t.Fatalf("default collation read as %+v", col.Collation)
	}
}
