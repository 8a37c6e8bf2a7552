package mongo_test

import (
	"context"
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
	if _, err := mongotest.Client(t).Database(db).Collection(coll).InsertMany(context.Background(), ds); err != nil {
		t.Fatalf("insert: %v", err)
	}
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
	if len(gs) != 2 {
		t.Fatalf("want 2 groups, got %d: %v", len(gs), gs)
	}
	for _, g := range gs {
		t.Logf("group %v ids %v", g.Key, g.IDs)
	}
}
