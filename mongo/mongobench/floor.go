package mongobench

import (
	"context"
	"fmt"
	"time"

	"github.com/dupes-tui/dupes/model"
	dmongo "github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// FloorResult is the bare aggregation's time and output size.
type FloorResult struct {
	Groups int
	Bytes  int
	Time   time.Duration
}

// BareScan runs the pipeline `dupes scan` sends this engine (mongo.PipelineFor, same options)
// and drains the cursor without decoding anything: the server's work plus the wire, the floor
// that the scan's own time is measured against.
func BareScan(ctx context.Context, coll *mongo.Collection, key model.Key) (FloorResult, error) {
	var r FloorResult
	e, err := dmongo.EngineOf(ctx, coll.Database().Client())
	if err != nil {
		return r, err
	}
	p, err := dmongo.PipelineFor(key, e)
	if err != nil {
		return r, err
	}
	start := time.Now()
	cur, err := coll.Aggregate(ctx, p, options.Aggregate().SetAllowDiskUse(true).SetBatchSize(dmongo.ScanBatchSize))
	if err != nil {
		return r, fmt.Errorf("bare scan: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		r.Groups++
		r.Bytes += len(cur.Current)
	}
	if err := cur.Err(); err != nil {
		return r, fmt.Errorf("bare scan: %w", err)
	}
	r.Time = time.Since(start)
	return r, nil
}
