package mongo_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// scanCount counts what the scan finds, or returns its error (documents it cannot index).
func scanCount(t testing.TB, c *mongo.Client, ns model.Namespace, key model.Key) (model.DupCount, error) {
	t.Helper()
	cur, err := c.Scan(context.Background(), ns, key)
	if err != nil {
		return model.DupCount{}, err
	}
	defer cur.Close(context.Background())
	gs, err := cur.All(context.Background())
	if err != nil {
		return model.DupCount{}, err
	}
	return model.CountGroups(gs), nil
}

// sameCount fails unless DuplicateCount says what counting the scan's groups says, or both
// refuse the key alike.
func sameCount(t *testing.T, c *mongo.Client, ns model.Namespace, key model.Key, what string) model.DupCount {
	t.Helper()
	want, werr := scanCount(t, c, ns, key)
	got, gerr := c.DuplicateCount(context.Background(), ns, key)
	switch {
	case werr != nil || gerr != nil:
		if werr == nil || gerr == nil || errors.Is(werr, model.ErrUnindexable) != errors.Is(gerr, model.ErrUnindexable) {
			t.Errorf("%s, key %s: scan error %v, count error %v", what, key, werr, gerr)
		}
	case got.Groups != want.Groups || got.Surplus != want.Surplus:
		t.Errorf("%s, key %s (%s): count %d groups, %d surplus; the scan finds %d groups, %d surplus (by scan: %v)",
			what, key, key.Semantics(), got.Groups, got.Surplus, want.Groups, want.Surplus, got.ByScan)
	}
	return got
}

// TestDuplicateCountIsTheScans: on random documents whose values collide often (numbers of
// every type and form, missing fields, arrays, arrays of sub-documents, every BSON type), the
// count of every key the pipeline property test scans, and of the whole document, is the
// number of groups and surplus documents the scan finds.
func TestDuplicateCountIsTheScans(t *testing.T) {
	const batches, perBatch = 4, 400
	c, db := connect(t)
	g := &docGen{r: rand.New(rand.NewPCG(20261207, 3))}
	if mongotest.JavaServer() {
		g.topArraysOnly, g.noRegex = true, true // as the property test, for the emulator's limits
	}
	keys := append(append([]model.Key{}, propertySpecs...), model.Key{WholeDocument: true},
		model.Key{WholeDocument: true, Ignore: []string{"c"}})
	nonzero := 0
	for b := range batches {
		coll := "c" + strconv.Itoa(b)
		var docs []bson.D
		for i := range perBatch {
			docs = append(docs, g.doc(b*perBatch+i))
		}
		insert(t, db, coll, docs...)
		for _, key := range keys {
			if n := sameCount(t, c, model.Namespace{DB: db, Coll: coll}, key, "batch "+strconv.Itoa(b)); n.Surplus > 0 {
				nonzero++
			}
		}
	}
	if nonzero == 0 {
		t.Fatal("no key found any duplicate: the test compared nothing")
	}
}

// TestDuplicateCountExactValues: the values an engine's $group compares unlike MongoDB's
// index (scanexact_test.go), each held by several documents, alone, in arrays that repeat
// them, and beside an equal value in another form, count as the scan groups them. Without
// null inside documents and arrays (which the scan reads back on FerretDB, and the count
// leaves to it), the count does it without scanning, but on mongo-java-server.
func TestDuplicateCountExactValues(t *testing.T) {
	c, db := connect(t)
	all := exactValues()
	var plain []any
	for _, v := range all {
		if !holdsNull(v, false) {
			plain = append(plain, v)
		}
	}
	for coll, vals := range map[string][]any{"all": all, "plain": plain} {
		var docs []bson.D
		id := 0
		for i, v := range vals {
			for range 2 {
				id++
				docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "k", Value: v}, {Key: "z", Value: int32(id % 2)},
					{Key: "d", Value: bson.D{{Key: "k", Value: v}}}})
			}
			id++
			// The value twice in one array: the document is one member, not two.
			docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "k", Value: bson.A{v, v, "other"}}})
			// Neighbours in the list are often equal in another form (0.1 and 0.10): a
			// document holding both has one index key, which the engine may split in two.
			id++
			docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "k", Value: bson.A{v, vals[(i+1)%len(vals)]}}})
		}
		insert(t, db, coll, docs...)
		ns := model.Namespace{DB: db, Coll: coll}
		for _, key := range exactKeys {
			got := sameCount(t, c, ns, key, coll+" exact values")
			if coll == "plain" && got.ByScan != mongotest.JavaServer() {
				t.Errorf("%s, key %s: counted by scanning: %v", coll, key, got.ByScan)
			}
		}
	}
}

// holdsNull tells a value holding null or undefined inside a document or an array.
func holdsNull(v any, inside bool) bool {
	switch x := v.(type) {
	case nil, bson.Undefined:
		return inside
	case bson.A:
		for _, e := range x {
			if holdsNull(e, true) {
				return true
			}
		}
	case bson.D:
		for _, e := range x {
			if holdsNull(e.Value, true) {
				return true
			}
		}
	}
	return false
}

// TestDuplicateCountFields: strings, numbers of mixed types, missing fields, arrays and a
// collation key, each counted as the scan finds it, with the expected figures.
func TestDuplicateCountFields(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "u",
		bson.D{{Key: "_id", Value: 1}, {Key: "email", Value: "a@x"}, {Key: "n", Value: int32(1)}, {Key: "tags", Value: bson.A{"p", "q"}}},
		bson.D{{Key: "_id", Value: 2}, {Key: "email", Value: "a@x"}, {Key: "n", Value: int64(1)}, {Key: "tags", Value: bson.A{"q", "q"}}},
		bson.D{{Key: "_id", Value: 3}, {Key: "email", Value: "A@x"}, {Key: "n", Value: 1.0}, {Key: "tags", Value: bson.A{"r"}}},
		bson.D{{Key: "_id", Value: 4}, {Key: "email", Value: "b@x"}, {Key: "n", Value: 2.5}},
		bson.D{{Key: "_id", Value: 5}, {Key: "n", Value: dec("2.5")}},
		bson.D{{Key: "_id", Value: 6}, {Key: "email", Value: nil}, {Key: "tags", Value: bson.A{}}},
	)
	ns := model.Namespace{DB: db, Coll: "u"}
	for _, tc := range []struct {
		key             model.Key
		groups, surplus int64
	}{
		{model.Key{Fields: []string{"email"}}, 2, 2},                   // a@x ×2; null: 5 lacks it, 6 holds null
		{model.Key{Fields: []string{"n"}}, 2, 3},                       // 1 ×3, 2.5 ×2; 6 alone lacks n
		{model.Key{Fields: []string{"tags"}}, 2, 2},                    // q: 1 and 2 (2 once, though twice); null: 4, 5
		{model.Key{Fields: []string{"email"}, IgnoreCase: true}, 2, 3}, // a@x ×3; null
		{model.Key{Fields: []string{"email", "n"}}, 1, 1},              // (a@x, 1) ×2
	} {
		got := sameCount(t, c, ns, tc.key, "fields")
		// Only mongo-java-server, whose $group may merge any two numbers, counts by scanning.
		if got.ByScan != mongotest.JavaServer() {
			t.Errorf("key %s: counted by scanning: %v", tc.key, got.ByScan)
		}
		if got.Groups != tc.groups || got.Surplus != tc.surplus {
			t.Errorf("key %s: %d groups, %d surplus; want %d, %d", tc.key, got.Groups, got.Surplus, tc.groups, tc.surplus)
		}
	}
	// A collation key: counted as the scan counts it where the engine has collations, refused
	// alike where it has none (FerretDB).
	ci := model.Key{Fields: []string{"email"}, Collation: &model.Collation{Locale: "en", Strength: 2}}
	sameCount(t, c, ns, ci, "collation")
	if mongotest.FerretDB(t) {
		if _, err := c.DuplicateCount(context.Background(), ns, ci); err == nil {
			t.Error("FerretDB: a collation key was counted; want the scan's refusal")
		}
	}
}

// TestDuplicateCountCancelled: a cancelled context stops the count with an error.
func TestDuplicateCountCancelled(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "u", bson.D{{Key: "_id", Value: 1}, {Key: "a", Value: 1}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.DuplicateCount(ctx, model.Namespace{DB: db, Coll: "u"}, model.Key{Fields: []string{"a"}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled count: %v, want context.Canceled", err)
	}
}
