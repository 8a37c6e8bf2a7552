package mongo

import (
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestNumberTypes pins the type conditions of the guard: one per number by position, one per
// array of numbers of one type, none where a path cannot name the number exactly.
func TestNumberTypes(t *testing.T) {
	dup := bson.D{{Key: "r", Value: int32(1)}, {Key: "r", Value: 2.0}} // a name twice: BSON allows it
	doc, err := bson.Marshal(bson.D{
		{Key: "_id", Value: int32(1)},
		{Key: "n", Value: int32(1)},
		{Key: "s", Value: "text"},
		{Key: "sub", Value: bson.D{{Key: "_id", Value: int64(2)}, {Key: "d", Value: bson.NewDecimal128(0, 5)}}},
		{Key: "vec", Value: bson.A{1.5, 2.5, 3.5}},
		{Key: "one", Value: bson.A{int64(9)}},
		{Key: "mix", Value: bson.A{int32(1), 2.5, "x", bson.A{int32(4), int64(5)}}},
		{Key: "items", Value: bson.A{bson.D{{Key: "q", Value: int32(1)}}, bson.D{{Key: "q", Value: 2.5}}}},
		{Key: "odd", Value: bson.A{int32(1), bson.D{{Key: "0", Value: int32(7)}}}},
		{Key: "a.b", Value: int32(1)},
		{Key: "$x", Value: int32(1)},
		{Key: "", Value: int32(1)},
		{Key: "dup", Value: dup},
		{Key: "empty", Value: bson.A{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	types := numberTypes(doc)
	got, err := bson.MarshalExtJSON(types, false, false)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`"n":{"$type":"int"}`,
		`"sub._id":{"$type":"long"}`,
		`"sub.d":{"$type":"decimal"}`,
		`"vec":{"$not":{"$type":["int","long","decimal"]}}`,
		`"one.0":{"$type":"long"}`,
		`"mix.0":{"$type":"int"}`,
		`"mix.1":{"$type":"double"}`,
		`"mix.3.0":{"$type":"int"}`,
		`"mix.3.1":{"$type":"long"}`,
		`"items.0.q":{"$type":"int"}`,
		`"items.1.q":{"$type":"double"}`,
	}, ",")
	if string(got) != "{"+want+"}" {
		t.Errorf("type conditions\n got %s\nwant {%s}", got, want)
	}
}
