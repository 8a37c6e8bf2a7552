package mongo

import (
	"context"
	"math/rand/v2"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SizeSample is how many documents a size estimate reads: its average is then within a few
// per cent on all but the most uneven collections, and the read is one round trip.
const SizeSample = 200

// AvgDocSize is the average BSON size, in bytes, of a random sample of up to SizeSample of the
// collection's documents ($sample; its first documents where $sample fails). collStats'
// avgObjSize is no estimate of a backup: duplicates are often the largest documents (a
// re-imported batch, a retried upload), and a review once predicted 3.1 kB for 74 kB written.
// BackupSizeEstimate, which reads the documents to delete, is the better estimate.
func (c *Client) AvgDocSize(ctx context.Context, ns model.Namespace) (int64, error) {
	n, bytes, err := c.sampleSizes(ctx, ns, true)
	if err != nil && ctx.Err() == nil {
		// mongo-java-server's $sample fails now and then (as SampleFields finds).
		n, bytes, err = c.sampleSizes(ctx, ns, false)
	}
	if err != nil {
		return 0, c.wrap("sample the document sizes of "+ns.String(), err)
	}
	if n == 0 {
		return 0, nil
	}
	return bytes / int64(n), nil
}

// BackupSizeEstimate is how many bytes the backup of the documents ids will hold: their BSON,
// which the backup writes back to back. It reads up to SizeSample of them by _id (all of them
// when there are no more, and the answer is then exact) and scales their total to len(ids). A
// document no longer there counts as nothing, as the run will not back it up.
func (c *Client) BackupSizeEstimate(ctx context.Context, ns model.Namespace, ids []model.Value) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	sample := ids
	if len(ids) > SizeSample {
		sample = make([]model.Value, SizeSample)
		for i, j := range rand.Perm(len(ids))[:SizeSample] {
			sample[i] = ids[j]
		}
	}
	in, err := rawValues(sample)
	if err != nil {
		return 0, err
	}
	what := "read the documents to back up from " + ns.String()
	cur, err := c.coll(ns).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}},
		options.Find().SetBatchSize(int32(len(in))).SetComment(c.comment()))
	if err != nil {
		return 0, c.wrap(what, err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	var bytes int64
	for cur.Next(ctx) {
		bytes += int64(len(cur.Current))
	}
	if err := cur.Err(); err != nil {
		return 0, c.wrap(what, err)
	}
	return bytes * int64(len(ids)) / int64(len(sample)), nil
}

// sampleSizes reads up to SizeSample documents, by $sample when random, else the first ones,
// and returns how many it read and their total BSON size.
func (c *Client) sampleSizes(ctx context.Context, ns model.Namespace, random bool) (int, int64, error) {
	var cur *mongo.Cursor
	var err error
	if random {
		cur, err = c.coll(ns).Aggregate(ctx, bson.A{bson.D{{Key: "$sample", Value: bson.D{{Key: "size", Value: SizeSample}}}}},
			options.Aggregate().SetBatchSize(SizeSample).SetComment(c.comment()))
	} else {
		cur, err = c.coll(ns).Find(ctx, bson.D{}, options.Find().SetLimit(SizeSample).SetBatchSize(SizeSample).SetComment(c.comment()))
	}
	if err != nil {
		return 0, 0, err
	}
	defer cur.Close(context.WithoutCancel(ctx))
	n, bytes := 0, int64(0)
	for cur.Next(ctx) {
		n++
		bytes += int64(len(cur.Current))
	}
	return n, bytes, cur.Err()
}
