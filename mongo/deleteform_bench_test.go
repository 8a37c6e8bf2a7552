package mongo_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// BenchmarkDeleteForm compares the statement forms a guarded batch delete can take, each as
// one unordered bulk write of one batch (500 groups of 3: 1000 documents deleted), in a
// collection of DUPES_BENCH_DOCS documents (default 20000):
//
//	in-key:  deleteMany {_id: {$in: [ids]}, email: v} per group (the key-only guard it replaced)
//	id-key:  deleteOne {_id: x, email: v} per document (per-document, key only)
//	id-root: deleteOne {_id: x, $expr: {$eq: ["$$ROOT", {$literal: doc}]}} per document
//	         (the whole-document guard before it told number types apart)
//	guard:   id-root and {n: {$type: "int"}}, the condition the guard adds for the one number
//	         of these documents (numberTypes)
//
// The deleted documents are put back between iterations, outside the timer.
func BenchmarkDeleteForm(b *testing.B) {
	n := 20000
	if s := os.Getenv("DUPES_BENCH_DOCS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	const batch = 500 // groups per batch (DefaultExecBatch)
	ctx := context.Background()
	db := mongotest.DB(b)
	coll := db.Collection("users")
	docs := make([]bson.Raw, n)
	var chunk []any
	for i := range n {
		d, err := bson.Marshal(bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: "u" + strconv.Itoa(i/3) + "@x.com"},
			{Key: "name", Value: "someone with a name"}, {Key: "n", Value: int32(i % 3)}, {Key: "tags", Value: bson.A{"a", "b"}}})
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = d
		chunk = append(chunk, bson.Raw(d))
		if len(chunk) == 10000 || i == n-1 { // under DocumentDB's 25 000 operations per command
			if _, err := coll.InsertMany(ctx, chunk); err != nil {
				b.Fatal(err)
			}
			chunk = chunk[:0]
		}
	}
	// Each form gives the statements that delete the members of one group.
	forms := []struct {
		name   string
		models func(members ...bson.Raw) []mongodriver.WriteModel
	}{
		{"in-key", func(ms ...bson.Raw) []mongodriver.WriteModel {
			var in bson.A
			for _, d := range ms {
				in = append(in, d.Lookup("_id"))
			}
			return []mongodriver.WriteModel{mongodriver.NewDeleteManyModel().SetFilter(bson.D{
				{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}},
				{Key: "email", Value: bson.D{{Key: "$eq", Value: ms[0].Lookup("email")}}}})}
		}},
		{"id-key", func(ms ...bson.Raw) (out []mongodriver.WriteModel) {
			for _, d := range ms {
				out = append(out, mongodriver.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: d.Lookup("_id")},
					{Key: "email", Value: bson.D{{Key: "$eq", Value: d.Lookup("email")}}}}))
			}
			return out
		}},
		{"id-root", func(ms ...bson.Raw) (out []mongodriver.WriteModel) {
			for _, d := range ms {
				out = append(out, mongodriver.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: d.Lookup("_id")},
					{Key: "$expr", Value: bson.D{{Key: "$eq", Value: bson.A{"$$ROOT", bson.D{{Key: "$literal", Value: d}}}}}}}))
			}
			return out
		}},
		{"guard", func(ms ...bson.Raw) (out []mongodriver.WriteModel) {
			for _, d := range ms {
				out = append(out, mongodriver.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: d.Lookup("_id")},
					{Key: "$expr", Value: bson.D{{Key: "$eq", Value: bson.A{"$$ROOT", bson.D{{Key: "$literal", Value: d}}}}}},
					{Key: "n", Value: bson.D{{Key: "$type", Value: "int"}}}}))
			}
			return out
		}},
	}
	for _, f := range forms {
		b.Run(f.name+"/docs="+strconv.Itoa(n), func(b *testing.B) {
			var elapsed time.Duration
			next := 0 // first group of the next batch
			for b.Loop() {
				b.StopTimer()
				var models []mongodriver.WriteModel
				var gone []any
				for g := 0; g < batch; g++ {
					first := 3 * ((next + g) % (n / 3))
					models = append(models, f.models(docs[first+1], docs[first+2])...)
					gone = append(gone, docs[first+1], docs[first+2])
				}
				next += batch
				b.StartTimer()
				start := time.Now()
				res, err := coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
				elapsed += time.Since(start)
				b.StopTimer()
				if err != nil || res.DeletedCount != 2*batch {
					b.Fatalf("bulk delete: %v, deleted %v of %d", err, res, 2*batch)
				}
				if _, err := coll.InsertMany(ctx, gone); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N), "ms/batch")
			b.ReportMetric(float64(b.N*2*batch)/elapsed.Seconds(), "docs/s")
		})
	}
}
