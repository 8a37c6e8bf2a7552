package mongo_test

import (
	"math"
	"slices"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// canon is the canonical Extended JSON of a Go value, as the scan reports _ids.
func canon(t *testing.T, v any) model.Value {
	t.Helper()
	typ, data, err := bson.MarshalValue(v)
	if err != nil {
		t.Fatalf("marshal %v: %v", v, err)
	}
	return model.MustValueOf(bson.RawValue{Type: typ, Value: data})
}

// TestScanEveryIDType: for every _id type a collection can hold, three documents sharing a
// key are one group with three distinct ids, listed in MongoDB's _id order whatever order they
// were inserted in.
func TestScanEveryIDType(t *testing.T) {
	c, db := connect(t)
	for _, k := range mongotest.IDKinds {
		t.Run(k.Name, func(t *testing.T) {
			coll := "ids_" + k.Name
			insert(t, db, coll,
				bson.D{{Key: "_id", Value: k.Asc[2]}, {Key: "email", Value: "dup@x.com"}},
				bson.D{{Key: "_id", Value: k.Asc[0]}, {Key: "email", Value: "dup@x.com"}},
				bson.D{{Key: "_id", Value: k.Asc[1]}, {Key: "email", Value: "dup@x.com"}},
				bson.D{{Key: "_id", Value: k.Make(7)}, {Key: "email", Value: "other@x.com"}},
			)
			for _, key := range []model.Key{{Fields: []string{"email"}}, {Fields: []string{"email", "none"}}} {
				gs := scanAll(t, c, model.Namespace{DB: db, Coll: coll}, key)
				want := []model.Value{canon(t, k.Asc[0]), canon(t, k.Asc[1]), canon(t, k.Asc[2])}
				if len(gs) != 1 || !slices.Equal(gs[0].IDs, want) {
					t.Fatalf("key %s: groups %v, want one group with ids %v", key, gs, want)
				}
			}
		})
	}
}

// mixedIDs is one _id of each type, in ascending MongoDB order: numbers by value across types,
// then strings, documents, binaries (length, then subtype), ObjectIds, dates, timestamps.
var mixedIDs = []any{
	int32(-10), 5e-5, bson.Decimal128{}, int64(1) << 53, "B",
	bson.D{{Key: "a", Value: int32(1)}},
	bson.Binary{Data: []byte{0xff, 0xff}},
	bson.Binary{Subtype: 3, Data: make([]byte, 16)},
	bson.Binary{Subtype: 4, Data: make([]byte, 16)},
	bson.ObjectID{1},
	bson.DateTime(0),
	bson.Timestamp{T: 1, I: 1},
}

func init() {
	d, err := bson.ParseDecimal128("0.10")
	if err != nil {
		panic(err)
	}
	mixedIDs[2] = d
}

// TestScanMixedIDTypes: _ids of every type in one group are all listed, in MongoDB's order.
func TestScanMixedIDTypes(t *testing.T) {
	c, db := connect(t)
	var docs []bson.D
	var want []model.Value
	for i := len(mixedIDs) - 1; i >= 0; i-- {
		docs = append(docs, bson.D{{Key: "_id", Value: mixedIDs[i]}, {Key: "k", Value: math.Pi}})
	}
	for _, id := range mixedIDs {
		want = append(want, canon(t, id))
	}
	insert(t, db, "mixed", docs...)
	gs := scanAll(t, c, model.Namespace{DB: db, Coll: "mixed"}, model.Key{Fields: []string{"k"}})
	if len(gs) != 1 || !slices.Equal(gs[0].IDs, want) {
		t.Fatalf("groups %v\nwant one group with ids %v", gs, want)
	}
}
