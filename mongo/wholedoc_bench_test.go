package mongo_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkWholeDocumentScan measures a whole-document scan against a key scan of the same
// documents (WHOLEDOC_BENCH_DOCS of them, 200 000 by default): 45% of them are copies, three
// of each record, identical but for _id and importedAt, so both scans find the same groups.
// Each document has six fields besides _id: the whole-document scan groups by all of them.
// Against MONGODB_URI it measures that server.
func BenchmarkWholeDocumentScan(b *testing.B) {
	total := 200_000
	if n, err := strconv.Atoi(os.Getenv("WHOLEDOC_BENCH_DOCS")); err == nil && n > 0 {
		total = n // a busy machine: fewer documents, said with the figures
	}
	db := mongotest.DB(b)
	c, err := mongo.Connect(context.Background(), mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	docs := make([]any, 0, total)
	for i := range total {
		r := "u" + strconv.Itoa(i)
		if i%20 < 9 { // 45% of the documents, in groups of 3: 30 000 groups at 200 000
			r = "s" + strconv.Itoa(i/20*3+i%20/3)
		}
		docs = append(docs, bson.D{
			{Key: "_id", Value: int32(i)},
			{Key: "email", Value: r + "@x.com"},
			{Key: "name", Value: "Name " + r},
			{Key: "age", Value: int32(len(r))},
			{Key: "score", Value: float64(len(r)) / 3},
			{Key: "address", Value: bson.D{{Key: "city", Value: "Oslo"}, {Key: "zip", Value: r}}},
			{Key: "importedAt", Value: bson.DateTime(int64(i))},
		})
	}
	mongotest.InsertMany(b, mongotest.Client(b).Database(db.Name()).Collection("users"), docs)
	ns := model.Namespace{DB: db.Name(), Coll: "users"}
	keys := []model.Key{
		{Fields: []string{"email"}},
		{WholeDocument: true, Ignore: []string{"importedAt"}},
	}
	if !mongotest.JavaServer() {
		keys = append(keys, model.Key{WholeDocument: true, Ignore: []string{"importedAt"}, AnyFieldOrder: true})
	}
	want := -1 // every scan finds the groups the first one found
	for _, key := range keys {
		name := "key " + key.String()
		if key.WholeDocument {
			name = key.String()
		}
		if key.AnyFieldOrder {
			name += ", any field order"
		}
		b.Run(name, func(b *testing.B) {
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
				s := model.Summarize(gs)
				if want < 0 {
					want = s.Groups
				}
				if s.Groups == 0 || s.Groups != want {
					b.Fatalf("%s: %d groups, the key scan found %d", key, s.Groups, want)
				}
			}
		})
	}
}
