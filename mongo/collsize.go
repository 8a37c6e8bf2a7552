package mongo

import (
	"context"
	"fmt"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// AvgDocSize is the collection's average document size in bytes (collStats' avgObjSize): the
// TUI's review multiplies it by the documents to delete to estimate the backup's size, which
// is their BSON, without reading them.
func (c *Client) AvgDocSize(ctx context.Context, ns model.Namespace) (int64, error) {
	var res bson.Raw
	err := c.mc.Database(ns.DB).RunCommand(ctx, c.withComment(bson.D{{Key: "collStats", Value: ns.Coll}})).Decode(&res)
	if err != nil {
		return 0, c.wrap("collection statistics of "+ns.String(), err)
	}
	v, err := res.LookupErr("avgObjSize")
	if err != nil {
		return 0, fmt.Errorf("collection statistics of %s: the server reports no avgObjSize", ns)
	}
	if n, ok := v.AsInt64OK(); ok {
		return n, nil
	}
	if f, ok := v.DoubleOK(); ok {
		return int64(f), nil
	}
	return 0, fmt.Errorf("collection statistics of %s: avgObjSize is a %s", ns, v.Type)
}
