package mongo_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestBackupSizeEstimate: where the duplicates are much larger than the collection's average
// document (a re-imported batch of big records among many small ones), the estimate the
// review shows comes from the documents to delete, and is within 20% of the bytes the backup
// then holds; with no more documents than it samples, it is exact.
func TestBackupSizeEstimate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		groups int
	}{
		{"sampled", mongo.SizeSample + 100},
		{"every document read", mongo.SizeSample / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, db := connect(t)
			rng := rand.New(rand.NewPCG(1, uint64(tc.groups)))
			var docs []bson.D
			for i := range 2000 {
				docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: fmt.Sprintf("u%d@x.com", i)}})
			}
			for g := range tc.groups {
				for m := range 2 {
					docs = append(docs, bson.D{{Key: "_id", Value: int32(10000 + 2*g + m)},
						{Key: "email", Value: fmt.Sprintf("dup%d@x.com", g)},
						{Key: "payload", Value: strings.Repeat("x", 2000+rng.IntN(8000))}})
				}
			}
			insert(t, db, "users", docs...)
			var all int64 // the collection's BSON, for its average document
			for _, d := range docs {
				b, err := bson.Marshal(d)
				if err != nil {
					t.Fatal(err)
				}
				all += int64(len(b))
			}
			avg := all / int64(len(docs))
			ns := model.Namespace{DB: db, Coll: "users"}
			plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
			var ids []model.Value
			for _, g := range plan.Groups {
				ids = append(ids, g.Delete...)
			}
			if len(ids) != tc.groups {
				t.Fatalf("plan deletes %d documents, want %d", len(ids), tc.groups)
			}
			ctx := context.Background()
			est, err := c.BackupSizeEstimate(ctx, ns, ids)
			if err != nil {
				t.Fatal(err)
			}

			rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: t.TempDir()})
			if err != nil || rep.Deleted != len(ids) {
				t.Fatalf("run: %v, deleted %d of %d", err, rep.Deleted, len(ids))
			}
			st, err := os.Stat(rep.BackupPath)
			if err != nil {
				t.Fatal(err)
			}
			written := st.Size()
			t.Logf("estimate %d, backup %d, average document × deletes %d", est, written, avg*int64(len(ids)))
			if off := float64(est-written) / float64(written); off > 0.2 || off < -0.2 {
				t.Errorf("estimate %d bytes, the backup holds %d (%+.0f%%)", est, written, 100*off)
			}
			if len(ids) <= mongo.SizeSample && est != written {
				t.Errorf("every document was read: estimate %d, want exactly the %d bytes written", est, written)
			}
			// The case the estimate exists for: the collection's average would have missed.
			if guess := avg * int64(len(ids)); float64(guess) > 0.5*float64(written) {
				t.Fatalf("the test's duplicates are not much larger than the average document (%d bytes × %d = %d, backup %d)",
					avg, len(ids), guess, written)
			}
		})
	}
}

// TestAvgDocSize: the average is the documents' own BSON size; a collection no larger than the
// sample is read whole, so its average is exact.
func TestAvgDocSize(t *testing.T) {
	c, db := connect(t)
	var docs []bson.D
	var all int64
	for i := range 50 {
		d := bson.D{{Key: "_id", Value: int32(i)}, {Key: "s", Value: strings.Repeat("y", 100*i)}}
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		all += int64(len(b))
		docs = append(docs, d)
	}
	insert(t, db, "users", docs...)
	ns := model.Namespace{DB: db, Coll: "users"}
	if avg, err := c.AvgDocSize(context.Background(), ns); err != nil || avg != all/50 {
		t.Fatalf("average %d, %v; want %d", avg, err, all/50)
	}
	if avg, err := c.AvgDocSize(context.Background(), model.Namespace{DB: db, Coll: "empty"}); err != nil || avg != 0 {
		t.Fatalf("average of no documents: %d, %v", avg, err)
	}
}

// TestBackupSizeEstimateCountsOnlyWhatExists: a planned document already gone adds nothing,
// and no documents cost nothing.
func TestBackupSizeEstimateCountsOnlyWhatExists(t *testing.T) {
	c, db := connect(t)
	insert(t, db, "users", bson.D{{Key: "_id", Value: int32(1)}, {Key: "s", Value: "abc"}})
	ns := model.Namespace{DB: db, Coll: "users"}
	one, _ := bson.Marshal(bson.D{{Key: "_id", Value: int32(1)}, {Key: "s", Value: "abc"}})
	est, err := c.BackupSizeEstimate(context.Background(), ns, []model.Value{`{"$numberInt":"1"}`, `{"$numberInt":"2"}`})
	if err != nil || est != int64(len(one)) {
		t.Fatalf("estimate %d, %v; want %d (document 2 does not exist)", est, err, len(one))
	}
	if est, err := c.BackupSizeEstimate(context.Background(), ns, nil); err != nil || est != 0 {
		t.Fatalf("estimate of nothing: %d, %v", est, err)
	}
}
