package mongobench

import (
	"context"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// SeedPadded drops the collection and fills it with docs documents of about size bytes each,
// in groups of two on KeyField (docs/2 groups, docs/2 surplus): the shape that tells what a
// batch's bytes cost in memory, whatever its count. _ids are int32 0..docs-1.
func (c *Coll) SeedPadded(ctx context.Context, docs, size int) (Stats, error) {
	if err := c.c.Drop(ctx); err != nil {
		return Stats{}, fmt.Errorf("drop %s: %w", c.c.Name(), err)
	}
	pad := strings.Repeat("x", max(0, size-64))
	// Inserts of about 16 MB each: the seeder itself must not hold the whole collection.
	per := max(1, 16<<20/max(size, 1))
	for start := 0; start < docs; start += per {
		batch := make([]any, 0, per)
		for i := start; i < min(start+per, docs); i++ {
			batch = append(batch, bson.D{
				{Key: "_id", Value: int32(i)},
				{Key: KeyField, Value: fmt.Sprintf("user%08d@example.com", i/2)},
				{Key: "pad", Value: pad},
			})
		}
		if _, err := c.c.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false)); err != nil {
			return Stats{}, fmt.Errorf("seed %s: %w", c.c.Name(), err)
		}
	}
	groups := docs / 2
	return Stats{Docs: docs, Groups: groups, Members: 2 * groups, Surplus: groups}, nil
}
