package mongotest

import (
	"context"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// engineWriteLimit is the most statements FerretDB 2.5 takes in one write command, though its
// hello advertises maxWriteBatchSize 100000. The driver splits InsertMany only at the
// advertised size, so a larger call fails there with 16 InvalidLength.
const engineWriteLimit = 25000

var (
	batchOnce sync.Once
	batchSize int
)

// WriteBatch is how many documents one InsertMany may carry on the test server:
// min(maxWriteBatchSize, 25000), read once per test binary.
func WriteBatch(tb testing.TB) int {
	tb.Helper()
	c := Client(tb)
	batchOnce.Do(func() {
		batchSize = engineWriteLimit
		var h struct {
			Max int `bson:"maxWriteBatchSize"`
		}
		for _, cmd := range []string{"hello", "isMaster"} {
			if err := c.Database("admin").RunCommand(context.Background(), bson.D{{Key: cmd, Value: 1}}).Decode(&h); err == nil && h.Max > 0 {
				batchSize = min(h.Max, engineWriteLimit)
				return
			}
		}
	})
	return batchSize
}

// InsertMany inserts docs in order, in calls of at most WriteBatch documents, failing the
// test on any error.
func InsertMany(tb testing.TB, coll *mongo.Collection, docs []any) {
	tb.Helper()
	n := WriteBatch(tb)
	for len(docs) > 0 {
		k := min(n, len(docs))
		if _, err := coll.InsertMany(context.Background(), docs[:k]); err != nil {
			tb.Fatalf("insert into %s: %v", coll.Name(), err)
		}
		docs = docs[k:]
	}
}
