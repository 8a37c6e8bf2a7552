package mongobench

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dupes-tui/dupes/model"
	dmongo "github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ResolveFloorResult is what the engine itself needs for a resolve's work, phase by phase.
type ResolveFloorResult struct {
	Groups  int
	Deleted int64
	Bytes   int64 // backup bytes written
	// Scan is the bare scan (BareScan's pipeline, drained); Delete the unguarded batched
	// deleteMany({_id: {$in: …}}) of every group's surplus; Write the writing (and fsync) of
	// their BSON to one file. Read, the find by _id that got those bytes, is reported apart:
	// the floor proper does not read the documents, though no backup can be had without.
	Scan, Read, Write, Delete time.Duration
}

// Floor is the engine's floor under a resolve: bare scan + unguarded deletes + backup write.
func (r ResolveFloorResult) Floor() time.Duration { return r.Scan + r.Delete + r.Write }

// ResolveFloor does a resolve's work with nothing of dupes around it, on a seeded collection:
// the scan's pipeline drained for each group's ids; the surplus (all ids but the group's first)
// read by _id and written to backupPath in one write and one fsync; then deleted with
// unguarded deleteMany({_id: {$in: …}}), dmongo.ExecBatchDocs ids per command (the executor's
// batch). No keep rule, no re-read, no guard, no manifest.
func ResolveFloor(ctx context.Context, coll *mongo.Collection, key model.Key, backupPath string) (ResolveFloorResult, error) {
	var r ResolveFloorResult
	p, err := dmongo.Pipeline(key)
	if err != nil {
		return r, err
	}
	start := time.Now()
	cur, err := coll.Aggregate(ctx, p, options.Aggregate().SetAllowDiskUse(true).SetBatchSize(dmongo.ScanBatchSize))
	if err != nil {
		return r, fmt.Errorf("floor scan: %w", err)
	}
	var surplus []bson.RawValue
	for cur.Next(ctx) {
		vals, err := cur.Current.Lookup("ids").Array().Values()
		if err != nil {
			cur.Close(ctx)
			return r, fmt.Errorf("floor scan: %w", err)
		}
		r.Groups++
		for _, v := range vals[1:] {
			surplus = append(surplus, bson.RawValue{Type: v.Type, Value: append([]byte(nil), v.Value...)})
		}
	}
	err = cur.Err()
	cur.Close(ctx)
	if err != nil {
		return r, fmt.Errorf("floor scan: %w", err)
	}
	r.Scan = time.Since(start)

	start = time.Now()
	var docs []byte
	for lo := 0; lo < len(surplus); lo += dmongo.ExecBatchDocs {
		in := bson.A{}
		for _, v := range surplus[lo:min(lo+dmongo.ExecBatchDocs, len(surplus))] {
			in = append(in, v)
		}
		cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}}, options.Find().SetBatchSize(int32(len(in))))
		if err != nil {
			return r, fmt.Errorf("floor read: %w", err)
		}
		for cur.Next(ctx) {
			docs = append(docs, cur.Current...)
		}
		err = cur.Err()
		cur.Close(ctx)
		if err != nil {
			return r, fmt.Errorf("floor read: %w", err)
		}
	}
	r.Read = time.Since(start)

	start = time.Now()
	f, err := os.OpenFile(backupPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return r, err
	}
	if _, err := f.Write(docs); err != nil {
		f.Close()
		return r, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return r, err
	}
	if err := f.Close(); err != nil {
		return r, err
	}
	r.Write, r.Bytes = time.Since(start), int64(len(docs))

	start = time.Now()
	for lo := 0; lo < len(surplus); lo += dmongo.ExecBatchDocs {
		in := bson.A{}
		for _, v := range surplus[lo:min(lo+dmongo.ExecBatchDocs, len(surplus))] {
			in = append(in, v)
		}
		res, err := coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}})
		if err != nil {
			return r, fmt.Errorf("floor delete: %w", err)
		}
		r.Deleted += res.DeletedCount
	}
	r.Delete = time.Since(start)
	return r, nil
}

// ResolveFloor runs ResolveFloor on the collection (see ResolveFloor).
func (c *Coll) ResolveFloor(ctx context.Context, key model.Key, backupPath string) (ResolveFloorResult, error) {
	return ResolveFloor(ctx, c.c, key, backupPath)
}
