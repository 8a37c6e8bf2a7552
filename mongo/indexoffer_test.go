package mongo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// The index offered after a cleanup that left documents lacking the key alone: a partial
// unique index that builds while several of them remain (missing and explicit null), and
// still refuses a duplicate value. mongo-java-server ignores partial filters (its index would
// be a plain unique one, which two null keys break), so there the test keeps one lacking
// document and checks what was sent: the filter, as the server lists it back.
func TestOfferedPartialIndexBuilds(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	docs := []bson.D{
		doc("_id", 1, "email", "a"), doc("_id", 2, "email", "b"), doc("_id", 3, "email", bson.A{"c", "d"}),
		doc("_id", 4, "name", "Guest"),
	}
	java := mongotest.JavaServer()
	if !java {
		docs = append(docs, doc("_id", 5, "name", "Guest 2"), doc("_id", 6, "email", nil), doc("_id", 7, "email", nil))
	}
	insert(t, db, "users", docs...)
	ctx := context.Background()
	offer := model.OfferIndex(model.Key{Fields: []string{"email"}}, true, model.ShardKey{})
	name, err := c.CreateUniqueIndex(ctx, ns, offer.Key)
	if err != nil {
		t.Fatalf("the offered index %s did not build: %v", offer.Key.PartialFilter, err)
	}
	ixs, err := c.Indexes(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	var listed string
	for _, ix := range ixs {
		if ix.Name == name && ix.Unique {
			listed = ix.PartialFilter
		}
	}
	if !strings.Contains(listed, `"$type"`) || !strings.Contains(listed, `"string"`) || strings.Contains(listed, `"null"`) {
		t.Fatalf("index %s lists partial filter %q, want the non-null $type filter", name, listed)
	}
	coll := mongotest.Client(t).Database(db).Collection("users")
	if _, err := coll.InsertOne(ctx, doc("_id", 10, "email", "a")); err == nil {
		t.Error("the offered index let a duplicate email in")
	}
	if java {
		t.Log("mongo-java-server ignores partial filters: checked what was sent, not how it filters")
		return
	}
	if _, err := coll.InsertOne(ctx, doc("_id", 11, "email", "c")); err == nil {
		t.Error("the offered index let in a value held by another document's array")
	}
	for _, d := range []bson.D{doc("_id", 12, "name", "Guest 3"), doc("_id", 13, "email", nil)} {
		if _, err := coll.InsertOne(ctx, d); err != nil {
			t.Errorf("a document lacking the email was refused: %v", err)
		}
	}
}
