package mongo_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongobench"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// BenchmarkShape measures the shape pass (Client.Shape: every member read whole, by _id, and
// compared) against the scan it follows, on 200 000 documents in 30 000 groups seeded by
// mongobench (run with -bench Shape -benchtime 3x; against MONGODB_URI it measures a real
// server). The machine is shared, so each iteration runs the sides one after the other and
// the metrics are medians: vs-scan reports the scan's and the shape's seconds and their ratio
// per iteration; batches reports the shape's seconds at each ShapeBatchSize.
func BenchmarkShape(b *testing.B) {
	ctx := context.Background()
	db := mongotest.DB(b)
	st, err := mongobench.Seed(ctx, db.Collection("users"), mongobench.Spec{Docs: 200_000, Groups: 30_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	c, err := mongo.Connect(ctx, mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	ns := model.Namespace{DB: db.Name(), Coll: "users"}
	key := model.Key{Fields: []string{mongobench.KeyField}}
	scan := func(b *testing.B) []model.Group {
		cur, err := c.Scan(ctx, ns, key)
		if err != nil {
			b.Fatal(err)
		}
		defer cur.Close(ctx)
		gs, err := cur.All(ctx)
		if err != nil || len(gs) != st.Groups {
			b.Fatalf("scan: %d groups, want %d (%v)", len(gs), st.Groups, err)
		}
		return gs
	}
	shape := func(b *testing.B, gs []model.Group, batch int) {
		old := mongo.ShapeBatchSize
		mongo.ShapeBatchSize = batch
		defer func() { mongo.ShapeBatchSize = old }()
		s, err := c.Shape(ctx, ns, gs, nil)
		if err != nil || s.Compared != st.Groups {
			b.Fatalf("shape: %d groups compared, want %d (%v)", s.Compared, st.Groups, err)
		}
	}
	seconds := func(f func()) float64 {
		t := time.Now()
		f()
		return time.Since(t).Seconds()
	}
	b.Run("vs-scan", func(b *testing.B) {
		var scans, shapes, ratios []float64
		for b.Loop() {
			var gs []model.Group
			scans = append(scans, seconds(func() { gs = scan(b) }))
			shapes = append(shapes, seconds(func() { shape(b, gs, mongo.ShapeBatchSize) }))
			ratios = append(ratios, shapes[len(shapes)-1]/scans[len(scans)-1])
		}
		b.ReportMetric(median(scans), "scan-s")
		b.ReportMetric(median(shapes), "shape-s")
		b.ReportMetric(median(ratios), "shape/scan")
	})
	gs := scan(b)
	sizes := []int{200, 1000, 2000}
	b.Run("batches", func(b *testing.B) {
		times := make([][]float64, len(sizes))
		for b.Loop() {
			for i, n := range sizes {
				times[i] = append(times[i], seconds(func() { shape(b, gs, n) }))
			}
		}
		for i, n := range sizes {
			b.ReportMetric(median(times[i]), fmt.Sprintf("s@%d", n))
		}
	})
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
