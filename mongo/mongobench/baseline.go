package mongobench

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// BaselineResult is what the per-group script did and how long each phase took.
type BaselineResult struct {
	Groups    int
	Deleted   int64
	Aggregate time.Duration // until the aggregation's cursor is open (its first batch read)
	Total     time.Duration
}

// Baseline runs the mongosh script of the README's "Why" that dupes replaces, through the driver:
//
//	db.c.aggregate([
//	  { $group: { _id: "$F", count: { $sum: 1 }, docs: { $push: "$_id" } } },
//	  { $match: { count: { $gt: 1 } } }
//	]).forEach(function (doc) { doc.docs.shift(); db.c.deleteMany({ _id: { $in: doc.docs } }); });
//
// one deleteMany round trip per group, default write concern, no backup, no guard. The
// benchmark's yardstick is that script run by real mongosh (bench/dedupe.js); this driver
// loop is its second line: the same round trips without node's start-up and the shell's
// per-statement cost.
func Baseline(ctx context.Context, coll *mongo.Collection, field string) (BaselineResult, error) {
	var r BaselineResult
	start := time.Now()
	cur, err := coll.Aggregate(ctx, bson.A{
		bson.D{{Key: "$group", Value: bson.D{
			{Key: "_id", Value: "$" + field},
			{Key: "count", Value: bson.D{{Key: "$sum", Value: 1}}},
			{Key: "docs", Value: bson.D{{Key: "$push", Value: "$_id"}}},
		}}},
		bson.D{{Key: "$match", Value: bson.D{{Key: "count", Value: bson.D{{Key: "$gt", Value: 1}}}}}},
	})
	if err != nil {
		return r, fmt.Errorf("baseline aggregate: %w", err)
	}
	defer cur.Close(ctx)
	r.Aggregate = time.Since(start)
	for cur.Next(ctx) {
		ids, err := cur.Current.LookupErr("docs")
		if err != nil {
			return r, fmt.Errorf("baseline: group without docs: %w", err)
		}
		vals, err := ids.Array().Values()
		if err != nil {
			return r, err
		}
		in := make(bson.A, 0, len(vals)-1)
		for _, v := range vals[1:] { // doc.docs.shift()
			in = append(in, v)
		}
		res, err := coll.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}})
		if err != nil {
			return r, fmt.Errorf("baseline deleteMany: %w", err)
		}
		r.Groups++
		r.Deleted += res.DeletedCount
	}
	if err := cur.Err(); err != nil {
		return r, fmt.Errorf("baseline cursor: %w", err)
	}
	r.Total = time.Since(start)
	return r, nil
}
