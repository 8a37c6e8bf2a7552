package mongo

import (
	"context"
	"fmt"
	"io"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// ScanBatchSize is the cursor batch size of a scan: groups per round trip.
const ScanBatchSize = 1000

// Cursor streams the groups of a scan. It holds a server-side cursor: Close it (cancelling the
// context of a pending Next also kills the cursor on the server).
type Cursor struct {
	c         *Client
	ns        model.Namespace
	cur       *mongo.Cursor
	nfields   int
	oversized []Oversized
}

// Oversized is a group whose _ids were cut at the scan's limit (MaxGroupIDs): its Group lists
// the first Listed ids in _id order, Count is how many documents it really has.
type Oversized struct {
	Key    []model.Value
	Count  int
	Listed int
}

// ScanOptions tune a scan.
type ScanOptions struct {
	// MaxGroupIDs caps the ids listed per group; MaxGroupIDs when 0.
	MaxGroupIDs int
}

// Scan starts the duplicate scan of a collection under a key. It only reads.
func (c *Client) Scan(ctx context.Context, ns model.Namespace, key model.Key) (*Cursor, error) {
	return c.ScanWith(ctx, ns, key, ScanOptions{})
}

// ScanWith is Scan with options.
func (c *Client) ScanWith(ctx context.Context, ns model.Namespace, key model.Key, opt ScanOptions) (*Cursor, error) {
	p, err := pipeline(key, opt.MaxGroupIDs)
	if err != nil {
		return nil, err
	}
	if _, err := c.Collection(ctx, ns); err != nil {
		return nil, err
	}
	cur, err := c.coll(ns).Aggregate(ctx, p, aggregateOptions(key, ScanBatchSize))
	if err != nil {
		return nil, c.scanError(ns, err)
	}
	return &Cursor{c: c, ns: ns, cur: cur, nfields: len(key.Fields)}, nil
}

// NextBatch returns up to max groups, fewer when the server's current batch ends, so a caller
// can show groups as they arrive. It returns io.EOF after the last group.
func (cu *Cursor) NextBatch(ctx context.Context, max int) ([]model.Group, error) {
	// The driver serves buffered results without looking at ctx; a cancelled scan must stop.
	if err := ctx.Err(); err != nil {
		return nil, cu.c.wrap("scan "+cu.ns.String(), err)
	}
	var out []model.Group
	for len(out) < max {
		// Only block for more data when nothing is in hand yet.
		if len(out) > 0 && cu.cur.RemainingBatchLength() == 0 {
			break
		}
		if !cu.cur.Next(ctx) {
			if err := cu.cur.Err(); err != nil {
				return out, cu.c.scanError(cu.ns, err)
			}
			if len(out) == 0 {
				return nil, io.EOF
			}
			break
		}
		g, err := cu.decode(cu.cur.Current)
		if err != nil {
			return out, err
		}
		out = append(out, g)
	}
	return out, nil
}

// All reads every remaining group.
func (cu *Cursor) All(ctx context.Context) ([]model.Group, error) {
	var all []model.Group
	for {
		gs, err := cu.NextBatch(ctx, ScanBatchSize)
		all = append(all, gs...)
		if err == io.EOF {
			return all, nil
		}
		if err != nil {
			return all, err
		}
	}
}

// Oversized lists the groups read so far whose ids were cut at the limit. Their Group values
// hold only the first ids; a plan must not treat them as whole.
func (cu *Cursor) Oversized() []Oversized { return cu.oversized }

// Close releases the server-side cursor.
func (cu *Cursor) Close(ctx context.Context) error {
	return cu.cur.Close(ctx)
}

func (cu *Cursor) decode(doc bson.Raw) (model.Group, error) {
	var g model.Group
	key, ok := doc.Lookup("_id").DocumentOK()
	if !ok {
		return g, fmt.Errorf("scan %s: unexpected group %s", cu.ns, doc)
	}
	g.Key = make([]model.Value, cu.nfields)
	for i := range g.Key {
		v, err := key.LookupErr(fmt.Sprintf("k%d", i))
		if err != nil {
			g.Key[i] = model.Null
			continue
		}
		g.Key[i] = value(v)
	}
	ids, ok := doc.Lookup("ids").ArrayOK()
	if !ok {
		return g, fmt.Errorf("scan %s: group without ids", cu.ns)
	}
	vals, err := ids.Values()
	if err != nil {
		return g, err
	}
	g.IDs = make([]model.Value, len(vals))
	for i, v := range vals {
		g.IDs[i] = value(v)
	}
	if n, ok := doc.Lookup("n").AsInt64OK(); ok && int(n) > len(g.IDs) {
		cu.oversized = append(cu.oversized, Oversized{Key: g.Key, Count: int(n), Listed: len(g.IDs)})
	}
	return g, nil
}
