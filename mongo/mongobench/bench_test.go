package mongobench

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/dupes-tui/dupes/model"
	dmongo "github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// benchSpec is the data of the Go benchmarks: $DUPES_BENCH_DOCS documents (default 200 000)
// with 15% as many duplicate groups, the 200 000 / 30 000.
func benchSpec(b *testing.B) Spec {
	n := 200000
	if s := os.Getenv("DUPES_BENCH_DOCS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 10 {
			b.Fatalf("DUPES_BENCH_DOCS=%q is not a document count", s)
		}
		n = v
	}
	return Spec{Docs: n, Groups: n * 15 / 100, Seed: 1}
}

func seeded(b *testing.B) (*mongo.Collection, Spec, Stats) {
	b.Helper()
	spec := benchSpec(b)
	coll := mongotest.DB(b).Collection("users")
	st, err := Seed(context.Background(), coll, spec)
	if err != nil {
		b.Fatal(err)
	}
	return coll, spec, st
}

var key = model.Key{Fields: []string{KeyField}}

// BenchmarkBareScan is the scan's floor: the pipeline drained with no decoding.
func BenchmarkBareScan(b *testing.B) {
	coll, _, st := seeded(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		r, err := BareScan(ctx, coll, key)
		if err != nil || r.Groups != st.Groups {
			b.Fatalf("bare scan: %d groups, %v; want %d", r.Groups, err, st.Groups)
		}
	}
}

// BenchmarkScanAll is the adapter's scan, decoded into model groups.
func BenchmarkScanAll(b *testing.B) {
	coll, _, st := seeded(b)
	ctx := context.Background()
	c, err := dmongo.Connect(ctx, mongotest.URI(b), dmongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	ns := model.Namespace{DB: coll.Database().Name(), Coll: coll.Name()}
	b.ResetTimer()
	for b.Loop() {
		cur, err := c.Scan(ctx, ns, key)
		if err != nil {
			b.Fatal(err)
		}
		gs, err := cur.All(ctx)
		cur.Close(ctx)
		if err != nil || len(gs) != st.Groups {
			b.Fatalf("scan: %d groups, %v; want %d", len(gs), err, st.Groups)
		}
	}
}

// BenchmarkBaseline is the per-group script of the README's "Why" (bench/dedupe.js); the collection is reseeded
// (untimed) before each run.
func BenchmarkBaseline(b *testing.B) {
	coll, spec, st := seeded(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 {
			b.StopTimer()
			if _, err := Seed(ctx, coll, spec); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		r, err := Baseline(ctx, coll, KeyField)
		if err != nil || r.Deleted != int64(st.Surplus) {
			b.Fatalf("script: deleted %d, %v; want %d", r.Deleted, err, st.Surplus)
		}
	}
}

// BenchmarkPipelines splits the server's aggregation cost: dupes' pipeline (index-exact:
// multikey unwind, per-document dedup, ids in _id order), the script's bare $group, and the
// simple pipeline dupes had before index-exact semantics ($sort, $group with $ifNull, $match),
// on the same data.
func BenchmarkPipelines(b *testing.B) {
	coll, _, _ := seeded(b)
	ctx := context.Background()
	full, err := dmongo.Pipeline(key)
	if err != nil {
		b.Fatal(err)
	}
	group := func(id any) bson.D {
		return bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: id},
			{Key: "ids", Value: bson.D{{Key: "$push", Value: "$_id"}}},
			{Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}},
		}}}
	}
	match := bson.D{{Key: "$match", Value: bson.D{{Key: "n", Value: bson.D{{Key: "$gt", Value: 1}}}}}}
	ifnull := bson.D{{Key: "k0", Value: bson.D{{Key: "$ifNull", Value: bson.A{"$" + KeyField, nil}}}}}
	sortID := bson.D{{Key: "$sort", Value: bson.D{{Key: "_id", Value: 1}}}}
	// Warm the server's JIT up, so the first variant is not charged for it.
	if _, err := BareScan(ctx, coll, key); err != nil {
		b.Fatal(err)
	}
	for _, v := range []struct {
		name string
		p    bson.A
	}{
		{"dupes", full},
		{"script", bson.A{group("$" + KeyField), match}},
		{"simple", bson.A{sortID, group(ifnull), match, sortID}},
		{"sort-only", bson.A{sortID, bson.D{{Key: "$limit", Value: 1}}}},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				cur, err := coll.Aggregate(ctx, v.p)
				if err != nil {
					b.Fatal(err)
				}
				for cur.Next(ctx) {
				}
				cur.Close(ctx)
			}
		})
	}
}
