package mongo_test

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestScanMarksMultikeyGroups: a scan asked to mark them flags exactly the groups a member
// enters through an array (the only ones that can share a document with another group), in
// both pipeline shapes, and finds the same groups as an unmarked scan.
func TestScanMarksMultikeyGroups(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "tags"}
	d := func(id int32, v any) bson.D {
		return bson.D{{Key: "_id", Value: id}, {Key: "t", Value: v}, {Key: "s", Value: bson.D{{Key: "t", Value: v}}}}
	}
	insert(t, db, "tags",
		d(1, bson.A{"a", "b"}), d(2, "a"), d(3, "b"), // 1 sits in two groups
		d(4, "c"), d(5, "c"), // plain
		d(6, bson.A{"d"}), d(7, "d"), // an array of one element is one key
		d(8, nil), d(9, nil)) // the group lacking the key
	want := map[string]bool{`"a"`: true, `"b"`: true, `"c"`: false, `"d"`: false, `null`: false}
	for _, field := range []string{"t", "s.t"} { // the plain shape, and the key generator's
		key := model.Key{Fields: []string{field}}
		cur, err := c.ScanWith(context.Background(), ns, key, mongo.ScanOptions{MarkMultikey: true})
		if err != nil {
			t.Fatalf("%s: scan: %v", field, err)
		}
		marked, err := cur.All(context.Background())
		cur.Close(context.Background())
		if err != nil {
			t.Fatalf("%s: scan: %v", field, err)
		}
		plain := scanAll(t, c, ns, key)
		if len(marked) != len(plain) || len(marked) != len(want) {
			t.Fatalf("%s: %d marked groups, %d unmarked, want %d", field, len(marked), len(plain), len(want))
		}
		for i, g := range marked {
			if plain[i].Multikey || string(g.Key[0]) != string(plain[i].Key[0]) || len(g.IDs) != len(plain[i].IDs) {
				t.Errorf("%s: group %d: marked %v, unmarked %v", field, i, g, plain[i])
			}
			if m, ok := want[string(g.Key[0])]; !ok || m != g.Multikey {
				t.Errorf("%s: group %s: multikey %v, want %v", field, g.Key[0], g.Multikey, m)
			}
		}
	}
}
