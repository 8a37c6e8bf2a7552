package mongo

import (
	"context"
	"errors"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestKeyGuardHolds checks the re-read's key check on documents as the live server returns
// them: it must say what a unique index would, and refuse a document MongoDB cannot index.
func TestKeyGuardHolds(t *testing.T) {
	db := mongotest.DB(t)
	coll := db.Collection("g")
	ctx := context.Background()
	docs := []bson.D{
		{{Key: "_id", Value: 1}, {Key: "email", Value: "a@x.com"}, {Key: "n", Value: int32(5)}},
		{{Key: "_id", Value: 2}, {Key: "email", Value: "A@X.com"}, {Key: "n", Value: 5.0}},
		{{Key: "_id", Value: 3}, {Key: "email", Value: " a@x.com "}, {Key: "n", Value: int64(5)}},
		{{Key: "_id", Value: 4}, {Key: "email", Value: nil}},
		{{Key: "_id", Value: 5}},
		{{Key: "_id", Value: 6}, {Key: "email", Value: bson.A{"b@x.com", "a@x.com"}}, {Key: "n", Value: int32(6)}},
		{{Key: "_id", Value: 7}, {Key: "email", Value: "a@x.com\n"}},
		{{Key: "_id", Value: 8}, {Key: "email", Value: "a.x.com"}},
		{{Key: "_id", Value: 9}, {Key: "addr", Value: bson.D{{Key: "city", Value: "Oslo"}}}},
		{{Key: "_id", Value: 10}, {Key: "items", Value: bson.A{bson.D{{Key: "sku", Value: "k1"}}, bson.D{{Key: "sku", Value: "k2"}}}}},
		{{Key: "_id", Value: 11}, {Key: "email", Value: bson.D{{Key: "$x", Value: 1}}}},
		{{Key: "_id", Value: 12}, {Key: "email", Value: bson.A{"c@x.com"}}, {Key: "n", Value: bson.A{int32(5), int32(6)}}},
	}
	for _, d := range docs {
		if _, err := coll.InsertOne(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		key  model.Key
		vals []model.Value
		want []int // _ids that still match
	}{
		{"exact string", model.Key{Fields: []string{"email"}}, []model.Value{`"a@x.com"`}, []int{1, 6}},
		{"null matches missing and null", model.Key{Fields: []string{"email"}}, []model.Value{model.Null}, []int{4, 5, 9, 10}},
		{"sparse ignores documents missing every key field", model.Key{Fields: []string{"email"}, Sparse: true}, []model.Value{model.Null}, []int{4}},
		{"numbers compare by value", model.Key{Fields: []string{"n"}}, []model.Value{`{"$numberInt":"5"}`}, []int{1, 2, 3, 12}},
		{"compound", model.Key{Fields: []string{"email", "n"}}, []model.Value{`"a@x.com"`, `{"$numberDouble":"5.0"}`}, []int{1}},
		{"ignore case", model.Key{Fields: []string{"email"}, IgnoreCase: true}, []model.Value{`"a@x.com"`}, []int{1, 2, 6}},
		{"trim", model.Key{Fields: []string{"email"}, Trim: true}, []model.Value{`"a@x.com"`}, []int{1, 3, 6, 7}},
		{"regex metacharacters are literal", model.Key{Fields: []string{"email"}, IgnoreCase: true}, []model.Value{`"a.x.com"`}, []int{8}},
		{"dotted path", model.Key{Fields: []string{"addr.city"}}, []model.Value{`"Oslo"`}, []int{9}},
		{"path through an array of documents", model.Key{Fields: []string{"items.sku"}}, []model.Value{`"k2"`}, []int{10}},
		{"a document value is data, not an operator", model.Key{Fields: []string{"email"}}, []model.Value{`{"$x":{"$numberInt":"1"}}`}, []int{11}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := newKeyGuard(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			cur, err := coll.Find(ctx, bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			var raws []bson.Raw
			for cur.Next(ctx) {
				raws = append(raws, append(bson.Raw(nil), cur.Current...))
			}
			cur.Close(ctx)
			goWant := map[int]bool{}
			for _, id := range tc.want {
				goWant[id] = true
			}
			for _, d := range raws {
				id64, _ := d.Lookup("_id").AsInt64OK()
				id := int(id64)
				keys, err := g.keys(d)
				if id == 12 && len(tc.key.Fields) > 1 {
					if !errors.Is(err, model.ErrUnindexable) {
						t.Errorf("_id 12 has parallel arrays: keys %v, err %v", keys, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("_id %d: %v", id, err)
				}
				goSays := g.holds(keys, tc.vals)
				if goSays != goWant[id] {
					t.Errorf("_id %d: Go check says %v, want %v", id, goSays, goWant[id])
				}
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
