package mongo_test

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/internal/exectest"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestExecutorContract runs the executor contract (internal/exectest), which the demo store's
// executor passes too, on the test server.
func TestExecutorContract(t *testing.T) {
	c, db := connect(t)
	exectest.Run(t, contractStore{c: c}, db)
}

// contractStore gives the contract its hooks into a server, writing through a driver client of
// the test's own as another application would.
type contractStore struct{ c *mongo.Client }

func (s contractStore) Seed(t *testing.T, ns model.Namespace, docs []model.Doc) {
	var ds []any
	for _, d := range docs {
		ds = append(ds, s.raw(t, d))
	}
	mongotest.InsertMany(t, mongotest.Client(t).Database(ns.DB).Collection(ns.Coll), ds)
}

func (s contractStore) raw(t *testing.T, d model.Doc) bson.D {
	out := bson.D{{Key: "_id", Value: mustRaw(t, d.ID)}}
	for _, f := range d.Fields {
		out = append(out, bson.E{Key: f.Path, Value: mustRaw(t, f.Value)})
	}
	return out
}

func mustRaw(t *testing.T, v model.Value) bson.RawValue {
	rv, err := v.Raw()
	if err != nil {
		t.Fatalf("value %s: %v", v, err)
	}
	return rv
}

func (s contractStore) Groups(t *testing.T, ns model.Namespace, key model.Key) []model.Group {
	return scanAll(t, s.c, ns, key)
}

func (s contractStore) FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error) {
	return s.c.FetchDocs(ctx, ns, ids)
}

func (s contractStore) Execute(t *testing.T, plan model.Plan) (model.Report, error) {
	return s.c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
}

func (s contractStore) Set(t *testing.T, ns model.Namespace, id model.Value, field string, v model.Value) {
	coll := mongotest.Client(t).Database(ns.DB).Collection(ns.Coll)
	res, err := coll.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: mustRaw(t, id)}},
		bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: mustRaw(t, v)}}}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("set %s of %s: %v (matched %v)", field, id, err, res)
	}
}

func (s contractStore) Remove(t *testing.T, ns model.Namespace, id model.Value) {
	coll := mongotest.Client(t).Database(ns.DB).Collection(ns.Coll)
	res, err := coll.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: mustRaw(t, id)}})
	if err != nil || res.DeletedCount != 1 {
		t.Fatalf("remove %s: %v (%v)", id, err, res)
	}
}

func (s contractStore) IDs(t *testing.T, ns model.Namespace) []model.Value {
	cur, err := mongotest.Client(t).Database(ns.DB).Collection(ns.Coll).Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Value
	for cur.Next(context.Background()) {
		out = append(out, model.MustValueOf(cur.Current.Lookup("_id")))
	}
	if err := cur.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (s contractStore) BackedUp(t *testing.T, rep model.Report) []model.Value {
	var out []model.Value
	for _, d := range backupDocs(t, rep.BackupPath) {
		out = append(out, model.MustValueOf(d.Lookup("_id")))
	}
	return out
}
