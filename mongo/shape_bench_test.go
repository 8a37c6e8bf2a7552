package mongo_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongobench"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// BenchmarkShape measures the shape pass (Client.Shape: every member read whole, by _id, and
// compared) against the scan it follows, on 200 000 documents in 30 000 groups seeded by
// mongobench (run with -bench Shape -benchtime 3x; against MONGODB_URI it measures a real
// server). batch=N is ShapeBatchSize.
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
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			scan(b)
		}
	})
	groups := scan(b)
	for _, n := range []int{200, 1000, 2000} {
		b.Run(fmt.Sprintf("shape/batch=%d", n), func(b *testing.B) {
			old := mongo.ShapeBatchSize
			mongo.ShapeBatchSize = n
			defer func() { mongo.ShapeBatchSize = old }()
			for b.Loop() {
				s, err := c.Shape(ctx, ns, groups, nil)
				if err != nil || s.Compared != st.Groups {
					b.Fatalf("shape: %d groups compared, want %d (%v)", s.Compared, st.Groups, err)
				}
			}
		})
	}
}
