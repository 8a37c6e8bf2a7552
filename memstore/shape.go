package memstore

import (
	"context"

	"github.com/dupes-tui/dupes/model"
)

// shapeBatch is how many members one batch of Shape reads: the adapter's size, so that a
// demo's progress moves as a server's would. A variable so that tests can make a small
// collection span several batches.
var shapeBatch = 1000

// Shape measures the shape of a scan's groups, as the adapter's Shape does (model.MeasureShape):
// group i of the shape is groups[i]; progress is called after each batch. Cancelling ctx stops
// it between batches with the shape measured so far, marked Partial, and ctx's error.
func (s *Store) Shape(ctx context.Context, ns model.Namespace, groups []model.Group, progress func(done, total int)) (model.Shape, error) {
	return model.MeasureShape(groups, shapeBatch, func(ids []model.Value) ([]model.Doc, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return s.FetchDocs(ctx, ns, ids)
	}, progress)
}
