package mongo_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/internal/shapeoracle"
	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// seedCorpus inserts the shape oracle's corpus and returns the scan's groups.
func seedCorpus(t *testing.T, c *mongo.Client, db string, seed uint64) (model.Namespace, []model.Group) {
	t.Helper()
	var docs []bson.D
	for _, d := range shapeoracle.Corpus(seed) {
		raw, err := model.ReadDoc(model.DocJSON(d))
		if err != nil {
			t.Fatal(err)
		}
		var bd bson.D
		if err := bson.Unmarshal(raw, &bd); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, bd)
	}
	insert(t, db, "shape", docs...)
	ns := model.Namespace{DB: db, Coll: "shape"}
	return ns, scanAll(t, c, ns, shapeoracle.Key)
}

// fetchMembers reads each group's members still present, as the oracle takes them.
func fetchMembers(t *testing.T, c *mongo.Client, ns model.Namespace, gs []model.Group) [][]model.Doc {
	t.Helper()
	out := make([][]model.Doc, len(gs))
	for i, g := range gs {
		docs, err := c.FetchDocs(context.Background(), ns, g.IDs)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = docs
	}
	return out
}

// smallShapeBatches makes the corpus span several batches, and groups larger than one.
func smallShapeBatches(t *testing.T) {
	old := mongo.ShapeBatchSize
	mongo.ShapeBatchSize = 50
	t.Cleanup(func() { mongo.ShapeBatchSize = old })
}

// TestShapeOracle: on the live engine, the shape of the scan's groups equals a member-by-member
// comparison of the documents read back (int and double of equal value, nested documents,
// arrays, missing against null, identical copies, a group of 120), members deleted since the
// scan included; the filters pick exactly the groups the oracle finds.
func TestShapeOracle(t *testing.T) {
	smallShapeBatches(t)
	c, db := connect(t)
	ns, gs := seedCorpus(t, c, db, 7)
	coll := mongotest.Client(t).Database(db).Collection("shape")
	gone := 0
	for _, g := range gs {
		if g.Count() == 2 && gone < 2 {
			rv, _ := g.IDs[1].Raw()
			if _, err := coll.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: rv}}); err != nil {
				t.Fatal(err)
			}
			gone++
		}
	}
	var calls []int
	shape, err := c.Shape(context.Background(), ns, gs, func(done, total int) { calls = append(calls, done) })
	if err != nil {
		t.Fatal(err)
	}
	if bad := shapeoracle.Check(shape, gs, fetchMembers(t, c, ns, gs)); len(bad) > 0 {
		t.Fatalf("the shape disagrees with the oracle:\n%s", strings.Join(bad, "\n"))
	}
	var typeOnly int
	for _, f := range shape.Fields {
		typeOnly += f.TypeOnly
	}
	if shape.Gone != 2 || shape.Sizes[4].Groups != 1 || shape.LackingKey != 1 || shape.IdenticalGroups == 0 || typeOnly == 0 ||
		len(calls) < 3 || calls[len(calls)-1] != len(gs) {
		t.Errorf("the corpus does not cover what it should: %+v, progress %v", shape, calls)
	}
}

// TestShapeCancel: cancelled after its first batch, Shape returns the groups measured so far,
// marked partial, with the cancellation.
func TestShapeCancel(t *testing.T) {
	smallShapeBatches(t)
	c, db := connect(t)
	ns, gs := seedCorpus(t, c, db, 8)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	shape, err := c.Shape(ctx, ns, gs, func(done, total int) { cancel() })
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err %v, want cancelled", err)
	}
	if !shape.Partial || shape.Measured == 0 || shape.Measured >= len(gs) || shape.Total != len(gs) {
		t.Fatalf("cancelled shape: partial %v, measured %d of %d", shape.Partial, shape.Measured, shape.Total)
	}
	if bad := shapeoracle.Check(shape, gs, fetchMembers(t, c, ns, gs)); len(bad) > 0 {
		t.Fatalf("the partial shape disagrees with the oracle:\n%s", strings.Join(bad, "\n"))
	}
}
