package mongo_test

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// HoldsField is how a misspelled --key is caught without sampling: a path any document holds,
// through sub-documents and arrays of them, and a path none holds.
func TestHoldsField(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	insert(t, db, "people",
		bson.D{{Key: "name", Value: "a"}, {Key: "address", Value: bson.D{{Key: "city", Value: "Oslo"}}}},
		bson.D{{Key: "name", Value: "b"}, {Key: "items", Value: bson.A{bson.D{{Key: "sku", Value: 1}}}}, {Key: "email", Value: nil}})
	ns := model.Namespace{DB: db, Coll: "people"}
	for path, want := range map[string]bool{
		"name": true, "address.city": true, "items.sku": true, "email": true, // null is held
		"emial": false, "address.zip": false, "items.qty": false,
	} {
		got, err := c.HoldsField(ctx, ns, path)
		if err != nil || got != want {
			t.Errorf("HoldsField(%s) = %v, %v; want %v", path, got, err, want)
		}
	}
}
