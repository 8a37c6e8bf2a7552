package mongo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"github.com/dupes-tui/dupes/mongo/mongotest/rsproxy"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A long read's cursor that runs past --max-time at a getMore ends in the error after the
// documents of the batches before, on every engine (mongo-java-server sends a scan in one
// batch, so the scan's own test of this needs another engine): Next stops, Err is the
// *MaxTimeError, and the getMore carried the comment.
func TestReadCursorMidway(t *testing.T) {
	ctx := context.Background()
	db := mongotest.DB(t)
	docs := make([]any, 50)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: int32(i)}}
	}
	mongotest.InsertMany(t, db.Collection("c"), docs)
	ns := model.Namespace{DB: db.Name(), Coll: "c"}
	const limit = time.Second
	for _, honour := range []bool{true, false} {
		t.Run(fmt.Sprintf("server honours maxTimeMS %v", honour), func(t *testing.T) {
			p := rsproxy.Start(t, mongotest.URI(t), rsproxy.Options{Members: 2})
			c, err := Connect(ctx, p.URI(), Options{MaxTime: limit, Command: "scan"})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			cur, err := c.readFind(ctx, ns, "the read of "+ns.String(), bson.D{}, options.Find().SetBatchSize(10))
			if err != nil {
				t.Fatal(err)
			}
			defer cur.Close(ctx)
			p.Slow("getMore", 10*time.Second, honour)
			n := 0
			for cur.Next(ctx) {
				n++
			}
			var mt *MaxTimeError
			if !errors.As(cur.Err(), &mt) || mt.Server != honour || n != 10 {
				t.Fatalf("read %d documents, then %v; want 10, then the --max-time error (server %v)", n, cur.Err(), honour)
			}
			for _, s := range p.Commands() {
				if s.Command == "getMore" && s.Comment != c.comment() {
					t.Errorf("a getMore without the comment: %s", s)
				}
			}
		})
	}
}
