package mongo_test

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkScanSuspectKeys is a scan of 200 000 documents whose keys are all values an
// engine's $group may split: fractional doubles, so on FerretDB and mongo-java-server every
// single-document group comes back and waits for the end of the scan (scanexact.go).
func BenchmarkScanSuspectKeys(b *testing.B) {
	db := mongotest.DB(b)
	c, err := mongo.Connect(context.Background(), mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	const total, shared = 200_000, 30_000
	docs := make([]any, 0, 10_000)
	counts := map[float64]int{}
	for i := range total {
		k := float64(i) + 0.5
		if i%20 < 9 { // 45% of documents share fewer values
			k = float64(i%shared) + 0.25
		}
		counts[k]++
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "k", Value: k}})
		if len(docs) == cap(docs) {
			if _, err := db.Collection("nums").InsertMany(context.Background(), docs); err != nil {
				b.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	want := 0
	for _, n := range counts {
		if n > 1 {
			want++
		}
	}
	ns := model.Namespace{DB: db.Name(), Coll: "nums"}
	for b.Loop() {
		cur, err := c.Scan(context.Background(), ns, model.Key{Fields: []string{"k"}})
		if err != nil {
			b.Fatal(err)
		}
		gs, err := cur.All(context.Background())
		cur.Close(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if s := model.Summarize(gs); s.Groups != want {
			b.Fatalf("%d groups, want %d", s.Groups, want)
		}
	}
}
