package mongo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkScan measures one whole scan of 200 000 documents holding 30 000 duplicate groups
// (run with -bench Scan; against MONGODB_URI it measures a real server), next to the bare
// aggregation the scan must stay within 1.2x of: $group by the field pushing _id, $match n > 1.
func BenchmarkScan(b *testing.B) {
	db := mongotest.DB(b)
	c, err := mongo.Connect(context.Background(), mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	const total, shared = 200_000, 30_000
	docs := make([]any, 0, 10_000)
	for i := range total {
		email := fmt.Sprintf("u%d@x.com", i)
		if i%20 < 9 { // 45% of documents share 3 000 addresses: 3 each
			email = fmt.Sprintf("s%d@x.com", i%shared)
		}
		docs = append(docs, bson.D{{Key: "_id", Value: i}, {Key: "email", Value: email}})
		if len(docs) == cap(docs) {
			if _, err := db.Collection("users").InsertMany(context.Background(), docs); err != nil {
				b.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	ns := model.Namespace{DB: db.Name(), Coll: "users"}
	b.Run("bare", func(b *testing.B) {
		bare := bson.A{
			bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$email"}, {Key: "ids", Value: bson.D{{Key: "$push", Value: "$_id"}}}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
			bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
		}
		for b.Loop() {
			cur, err := db.Collection("users").Aggregate(context.Background(), bare)
			if err != nil {
				b.Fatal(err)
			}
			var n int
			for cur.Next(context.Background()) {
				n++
			}
			cur.Close(context.Background())
			if n == 0 {
				b.Fatal("no groups")
			}
		}
	})
	for _, key := range []model.Key{{Fields: []string{"email"}}, {Fields: []string{"email"}, IgnoreCase: true}} {
		b.Run(key.Semantics(), func(b *testing.B) {
			for b.Loop() {
				cur, err := c.Scan(context.Background(), ns, key)
				if err != nil {
					b.Fatal(err)
				}
				gs, err := cur.All(context.Background())
				cur.Close(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if s := model.Summarize(gs); s.Groups == 0 {
					b.Fatal("no groups")
				}
			}
		})
	}
}
