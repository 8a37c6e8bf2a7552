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

// BenchmarkScan measures one whole scan of 20 000 documents holding 3 000 duplicate groups
// (run with -bench Scan; against MONGODB_URI it measures a real server).
func BenchmarkScan(b *testing.B) {
	db := mongotest.DB(b)
	c, err := mongo.Connect(context.Background(), mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	const total, shared = 20_000, 3_000
	docs := make([]any, 0, 1000)
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
