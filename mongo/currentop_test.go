package mongo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Where the engine has $currentOp, a running scan shows in it with its comment, "dupes scan
// RUNID", which is how a DBA finds and kills it. FerretDB lists the operation without its
// comment (docs/safety.md says so; the proxy's record, cli/comment_test.go, is the proof
// there): the test asserts that it is FerretDB that leaves it out.
func TestCurrentOpShowsTheComment(t *testing.T) {
	if mongotest.JavaServer() {
		mongotest.Skipf(t, "mongo-java-server has no $currentOp (nor currentOp, nor a profiler): "+
			"cli/comment_test.go's proxy record is the proof there")
	}
	ctx := context.Background()
	db := mongotest.DB(t).Name()
	const n = 50_000
	docs := make([]bson.D, 0, n)
	for i := range n {
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: fmt.Sprintf("user%d@example.com", i/2)},
			{Key: "name", Value: strings.Repeat("x", 100)}})
	}
	insert(t, db, "users", docs...)
	c, err := mongo.Connect(ctx, mongotest.URI(t), mongo.Options{Command: "scan"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	ns := model.Namespace{DB: db, Coll: "users"}
	done := make(chan error, 1)
	go func() {
		cur, err := c.Scan(ctx, ns, model.Key{Fields: []string{"email"}})
		if err == nil {
			_, err = cur.All(ctx)
			cur.Close(ctx)
		}
		done <- err
	}()
	admin := mongotest.Client(t).Database("admin")
	for polls := 0; ; polls++ {
		select {
		case err := <-done:
			t.Fatalf("the scan ended (%v) before $currentOp showed it, after %d looks", err, polls)
		default:
		}
		cur, err := admin.Aggregate(ctx, bson.A{bson.D{{Key: "$currentOp", Value: bson.D{{Key: "allUsers", Value: true}}}},
			bson.D{{Key: "$match", Value: bson.D{{Key: "ns", Value: ns.String()}}}}})
		if err != nil {
			t.Fatalf("$currentOp: %v", err)
		}
		var ops []bson.Raw
		if err := cur.All(ctx, &ops); err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			if _, err := op.LookupErr("command", "aggregate"); err != nil {
				continue
			}
			comment, ok := op.Lookup("command", "comment").StringValueOK()
			switch {
			case ok && comment == "dupes scan "+c.RunID():
				t.Logf("$currentOp shows %s", comment)
			case ok:
				t.Errorf("$currentOp shows the scan with comment %q, want %q", comment, "dupes scan "+c.RunID())
			case mongotest.FerretDB(t):
				t.Logf("FerretDB's $currentOp shows the scan without its comment, as docs/safety.md says: %s", op)
			default:
				t.Errorf("$currentOp shows the scan without its comment: %s", op)
			}
			<-done
			return
		}
	}
}
