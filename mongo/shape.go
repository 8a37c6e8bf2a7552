package mongo

import (
	"context"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// ShapeBatchSize is about how many members one batch of the shape pass reads: whole groups
// together, a larger group alone, ShapeBatchSize ids per find. As for a plan's read
// (PrintBatchSize), a find by _id list costs about the same per document from a few hundred
// ids up (BENCHMARKS.md, "The shape of the groups"). A variable so that tests can make a
// small scan span several batches.
var ShapeBatchSize = 1000

// Shape measures the shape of a scan's groups (model.Shape, model.MeasureShape): it reads
// every member, whole, and measures each group from its members still present, as the group
// view compares them. Group i of the shape is groups[i]. progress, when not nil, is called
// after each batch with the groups measured so far and their total.
//
// Cancelling ctx (or a failed read) stops it after the groups already measured: it returns
// their shape, marked Partial, with the error; never a partial shape as the whole.
func (c *Client) Shape(ctx context.Context, ns model.Namespace, groups []model.Group, progress func(done, total int)) (model.Shape, error) {
	return model.MeasureShape(groups, ShapeBatchSize, func(ids []model.Value) ([]model.Doc, error) {
		if err := ctx.Err(); err != nil {
			return nil, c.wrap("read documents of "+ns.String(), err)
		}
		docs := make([]model.Doc, 0, len(ids))
		err := c.fetchRaw(ctx, ns, ids, ShapeBatchSize, nil, func(raw bson.Raw) error {
			d, err := flatten(raw)
			docs = append(docs, d)
			return err
		})
		return docs, err
	}, progress)
}
