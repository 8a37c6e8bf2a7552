package mongo_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// benchSize reads a size from the environment (a busy machine runs fewer documents, and says
// so with the figures), else def.
func benchSize(env string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
		return n
	}
	return def
}

// countDocs are the documents of the count benchmarks: 45% of them in duplicate groups of 3
// on every field (30 000 groups, 60 000 surplus at 200 000). email is a string, n an int64,
// score a double with a fraction (a value FerretDB's $group may split from an equal one, so
// the count lists its members there), tags an array of two values (multikey: listed too).
func countDocs(from, to int) []any {
	docs := make([]any, 0, to-from)
	for i := from; i < to; i++ {
		r := i + 1_000_000
		if i%20 < 9 {
			r = i/20*3 + i%20/3
		}
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)},
			{Key: "email", Value: "u" + strconv.Itoa(r) + "@x.com"},
			{Key: "n", Value: int64(r)},
			{Key: "score", Value: float64(r) + 0.25},
			{Key: "tags", Value: bson.A{"t" + strconv.Itoa(r), "u" + strconv.Itoa(r)}}})
	}
	return docs
}

// BenchmarkDuplicateCount measures DuplicateCount against a scan of the same field that counts
// its groups (COUNT_BENCH_DOCS documents, 200 000 by default), field by field; both find the
// same figures, which the benchmark checks. Against MONGODB_URI it measures that server.
func BenchmarkDuplicateCount(b *testing.B) {
	total := benchSize("COUNT_BENCH_DOCS", 200_000)
	db := mongotest.DB(b)
	c, err := mongo.Connect(context.Background(), mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	coll := mongotest.Client(b).Database(db.Name()).Collection("users")
	for lo := 0; lo < total; lo += 50_000 {
		mongotest.InsertMany(b, coll, countDocs(lo, min(lo+50_000, total)))
	}
	ns := model.Namespace{DB: db.Name(), Coll: "users"}
	for _, f := range []string{"email", "n", "score", "tags"} {
		key := model.Key{Fields: []string{f}}
		var want model.DupCount
		b.Run(f+"/scan", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if want, err = scanCount(b, c, ns, key); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(want.Groups), "groups")
		})
		b.Run(f+"/count", func(b *testing.B) {
			var got model.DupCount
			b.ReportAllocs()
			for b.Loop() {
				got, err = c.DuplicateCount(context.Background(), ns, key)
				if err != nil {
					b.Fatal(err)
				}
			}
			if got.Groups != want.Groups || got.Surplus != want.Surplus || got.Groups == 0 {
				b.Fatalf("%s: count %+v, scan %+v", f, got, want)
			}
			b.ReportMetric(float64(got.Groups), "groups")
			if got.ByScan {
				b.ReportMetric(1, "byscan")
			}
		})
	}
}

// BenchmarkCensus measures the census of a database of CENSUS_BENCH_COLLS collections (50 by
// default) of CENSUS_BENCH_DOCS documents each (4 000 by default), each with a non-unique
// index on n and the fields of countDocs: five candidates per collection (the index; email,
// score and tags, which look unique; the whole document). "all" runs without a budget, so
// every candidate is counted; "60s" runs with the CLI's default budget and reports how many
// counts fit in it.
func BenchmarkCensus(b *testing.B) {
	colls, per := benchSize("CENSUS_BENCH_COLLS", 50), benchSize("CENSUS_BENCH_DOCS", 4_000)
	db := mongotest.DB(b)
	c, err := mongo.Connect(context.Background(), mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(context.Background())
	t0 := time.Now()
	for i := range colls {
		coll := mongotest.Client(b).Database(db.Name()).Collection(fmt.Sprintf("c%02d", i))
		mongotest.InsertMany(b, coll, countDocs(0, per))
		if err := db.RunCommand(context.Background(), bson.D{{Key: "createIndexes", Value: coll.Name()},
			{Key: "indexes", Value: bson.A{bson.D{{Key: "key", Value: bson.D{{Key: "n", Value: 1}}}, {Key: "name", Value: "n_1"}}}}}).Err(); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d collections of %d documents in %s", colls, per, time.Since(t0).Round(time.Second))
	for _, budget := range []time.Duration{0, time.Minute} {
		name := "all"
		if budget > 0 {
			name = budget.String()
		}
		b.Run(name, func(b *testing.B) {
			var cs model.Census
			for b.Loop() {
				cs, err = c.Census(context.Background(), db.Name(), model.CensusOptions{Budget: model.Budget{Time: budget}}, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
			if budget == 0 && (!cs.Complete() || cs.Collections != colls) {
				b.Fatalf("census: complete %v, %d collections", cs.Complete(), cs.Collections)
			}
			byScan := 0
			for _, r := range cs.Results {
				if r.Err != nil {
					b.Fatalf("%s %s: %v", r.NS, r.Key, r.Err)
				}
				if r.Count.ByScan {
					byScan++
				}
			}
			b.ReportMetric(float64(len(cs.Results)), "counts")
			b.ReportMetric(float64(len(cs.NotDone)), "notdone")
			b.ReportMetric(float64(byScan), "byscan")
		})
	}
}
