package mongobench

import (
	"context"
	"fmt"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Coll is one benchmark collection on a server, for runners outside mongo/ (which may not
// import the driver themselves).
type Coll struct {
	mc *mongo.Client
	c  *mongo.Collection
}

// Open connects to uri and names the collection ns.
func Open(ctx context.Context, uri string, ns model.Namespace) (*Coll, error) {
	mc, err := mongo.Connect(options.Client().ApplyURI(uri).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		return nil, err
	}
	if err := mc.Ping(ctx, nil); err != nil {
		_ = mc.Disconnect(ctx)
		return nil, fmt.Errorf("ping %s: %w", uri, err)
	}
	return &Coll{mc: mc, c: mc.Database(ns.DB).Collection(ns.Coll)}, nil
}

// Close disconnects.
func (c *Coll) Close(ctx context.Context) error { return c.mc.Disconnect(ctx) }

// Seed drops the collection and fills it per spec (see Seed).
func (c *Coll) Seed(ctx context.Context, spec Spec) (Stats, error) { return Seed(ctx, c.c, spec) }

// Baseline runs the per-group script on the collection's KeyField (see Baseline).
func (c *Coll) Baseline(ctx context.Context) (BaselineResult, error) {
	return Baseline(ctx, c.c, KeyField)
}

// BareScan runs the scan's pipeline with no processing (see BareScan).
func (c *Coll) BareScan(ctx context.Context, key model.Key) (FloorResult, error) {
	return BareScan(ctx, c.c, key)
}

// Count is the exact number of documents.
func (c *Coll) Count(ctx context.Context) (int64, error) {
	return c.c.CountDocuments(ctx, bson.D{})
}

// Drop removes the collection, so the server can free its memory before the next size.
func (c *Coll) Drop(ctx context.Context) error { return c.c.Drop(ctx) }

// DeleteProbe times k deleteMany({_id: {$in: [ids ids]}}) calls against the seeded collection
// (ids spread over it), to tell whether the server finds _id $in through its _id index (cost
// flat in the collection's size) or by a scan (cost growing with it). Servers may treat a
// one-element $in as an equality: ids = 2 or 3 is the script's shape (groups of 2 to 4).
func (c *Coll) DeleteProbe(ctx context.Context, spec Spec, k, ids int) (time.Duration, error) {
	start := time.Now()
	for j := 0; j < k; j++ {
		in := make(bson.A, ids)
		for x := range in {
			in[x] = objectID(spec.Seed, ((j*ids+x)*7919+13)%spec.Docs)
		}
		if _, err := c.c.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}}); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(k), nil
}

// GuardProbe times k deleteMany calls of the shape dupes' executor sends, the _id list plus
// the key guard ({_id: {$in: [id]}, email: {$eq: …}}), with a key value that never matches so
// nothing is deleted: a server that serves it from the _id index answers in constant time.
func (c *Coll) GuardProbe(ctx context.Context, spec Spec, k int) (time.Duration, error) {
	start := time.Now()
	for j := 0; j < k; j++ {
		i := (j*7919 + 29) % spec.Docs
		f := bson.D{
			{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{objectID(spec.Seed, i)}}}},
			{Key: KeyField, Value: bson.D{{Key: "$eq", Value: "nobody@example.com"}}},
		}
		if _, err := c.c.DeleteMany(ctx, f); err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(k), nil
}

// FindProbe times k finds of one document by _id $in, like DeleteProbe.
func (c *Coll) FindProbe(ctx context.Context, spec Spec, k int) (time.Duration, error) {
	start := time.Now()
	for j := 0; j < k; j++ {
		i := (j*7919 + 17) % spec.Docs
		cur, err := c.c.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: bson.A{objectID(spec.Seed, i)}}}}})
		if err != nil {
			return 0, err
		}
		for cur.Next(ctx) {
		}
		cur.Close(ctx)
	}
	return time.Since(start) / time.Duration(k), nil
}

// FetchProbe times finds of k documents by {_id: {$in: [k ids]}} (ids spread over the
// collection), the shape of FetchDocs, Keepers and the executor's re-read, and returns the
// time per call.
func (c *Coll) FetchProbe(ctx context.Context, spec Spec, k, calls int) (time.Duration, error) {
	start := time.Now()
	for j := 0; j < calls; j++ {
		in := make(bson.A, k)
		for x := range in {
			in[x] = objectID(spec.Seed, ((j*k+x)*7919+31)%spec.Docs)
		}
		cur, err := c.c.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}},
			options.Find().SetBatchSize(int32(k)))
		if err != nil {
			return 0, err
		}
		for cur.Next(ctx) {
		}
		err = cur.Err()
		cur.Close(ctx)
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(calls), nil
}

// Server names the server behind the connection, for a report: its buildInfo version, and the
// FerretDB version when it is FerretDB (which reports a MongoDB version of its own making).
func (c *Coll) Server(ctx context.Context) (string, error) {
	var info struct {
		Version  string `bson:"version"`
		FerretDB struct {
			Version string `bson:"version"`
		} `bson:"ferretdb"`
	}
	if err := c.mc.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return "", fmt.Errorf("buildInfo: %w", err)
	}
	if info.FerretDB.Version != "" {
		return fmt.Sprintf("FerretDB %s (reports MongoDB %s)", info.FerretDB.Version, info.Version), nil
	}
	return "MongoDB " + info.Version, nil
}
