package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// wantMaxTime asserts that err is --max-time's error for the read named what, stopped by the
// server or by dupes as server says.
func wantMaxTime(t *testing.T, err error, what string, limit time.Duration, server bool) {
	t.Helper()
	var mt *mongo.MaxTimeError
	if !errors.Is(err, mongo.ErrMaxTime) || !errors.As(err, &mt) {
		t.Fatalf("got %v, want the --max-time error", err)
	}
	if mt.Server != server {
		t.Errorf("stopped by the server: %v, want %v (%v)", mt.Server, server, err)
	}
	want := fmt.Sprintf("%s exceeded --max-time %s", what, limit)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "nothing was decided from its partial answer") {
		t.Errorf("error %q lacks %q", err, want)
	}
}

// A scan held past --max-time ends in its error, whether the server honours maxTimeMS
// (MaxTimeMSExpired) or ignores it (dupes' own deadline), and its aggregate carried maxTimeMS.
func TestMaxTimeEndsASlowScan(t *testing.T) {
	db := mongotest.DB(t).Name()
	users(t, db, 3, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	const limit = 200 * time.Millisecond
	for _, honour := range []bool{true, false} {
		t.Run(fmt.Sprintf("server honours maxTimeMS %v", honour), func(t *testing.T) {
			p, c := dialSet(t, mongo.Options{MaxTime: limit, Command: "scan"})
			p.Slow("aggregate", 10*time.Second, honour)
			cur, err := c.Scan(context.Background(), ns, model.Key{Fields: []string{"email"}})
			if err == nil {
				cur.Close(context.Background())
			}
			wantMaxTime(t, err, "the scan of "+ns.String(), limit, honour)
			aggs := seen(p, "aggregate", "users")
			if len(aggs) != 1 || aggs[0].MaxTimeMS != limit.Milliseconds() {
				t.Fatalf("the scan's aggregate: %v, want one carrying maxTimeMS %d", aggs, limit.Milliseconds())
			}
		})
	}
}

// A scan whose cursor runs past --max-time midway, at a getMore, ends in the error, never in
// fewer groups taken for all of them; the getMore carries the comment.
func TestMaxTimeMidwayIsAnErrorNotFewerGroups(t *testing.T) {
	if mongotest.JavaServer() {
		mongotest.Skipf(t, "mongo-java-server answers an aggregate in one batch whatever its batchSize: its scan "+
			"sends no getMore to run out of time (TestReadCursorMidway times a find's getMore out on it)")
	}
	db := mongotest.DB(t).Name()
	groups := mongo.ScanBatchSize + 100
	docs := make([]bson.D, 0, 2*groups)
	for i := range 2 * groups {
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: fmt.Sprintf("u%d", i/2)}})
	}
	insert(t, db, "users", docs...)
	ns := model.Namespace{DB: db, Coll: "users"}
	// Room for the first batch, which the backend may take a while to compute.
	const limit = 2 * time.Second
	for _, honour := range []bool{true, false} {
		t.Run(fmt.Sprintf("server honours maxTimeMS %v", honour), func(t *testing.T) {
			ctx := context.Background()
			p, c := dialSet(t, mongo.Options{MaxTime: limit, Command: "scan"})
			cur, err := c.Scan(ctx, ns, model.Key{Fields: []string{"email"}})
			if err != nil {
				t.Fatal(err)
			}
			defer cur.Close(ctx)
			p.Slow("getMore", 10*time.Second, honour)
			got, err := cur.All(ctx)
			wantMaxTime(t, err, "the scan of "+ns.String(), limit, honour)
			if len(got) >= groups {
				t.Fatalf("%d groups read of %d, yet the scan ran out of time", len(got), groups)
			}
			more := seen(p, "getMore", "users")
			if len(more) == 0 {
				t.Fatal("the scan sent no getMore")
			}
			for _, s := range more {
				if !strings.HasPrefix(s.Comment, "dupes scan ") {
					t.Errorf("a getMore without the scan's comment: %s", s)
				}
			}
		})
	}
}

// The reads of members and the sample end in the error too, naming what they read; a sample
// past --max-time is not read again another way.
func TestMaxTimeEndsOtherLongReads(t *testing.T) {
	ctx := context.Background()
	db := mongotest.DB(t).Name()
	users(t, db, 2, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	const limit = 150 * time.Millisecond
	p, c := dialSet(t, mongo.Options{MaxTime: limit})
	p.Slow("find", 10*time.Second, true)
	_, err := c.FetchDocs(ctx, ns, []model.Value{"100", "101"})
	wantMaxTime(t, err, "reading the documents of "+ns.String(), limit, true)
	p.Slow("aggregate", 10*time.Second, false)
	_, err = c.SampleFields(ctx, ns, 0)
	wantMaxTime(t, err, "the sample of "+ns.String(), limit, false)
}

// On the engine itself, without the proxy: a scan that takes longer than --max-time 1ms ends
// in the error, by the server's maxTimeMS on FerretDB, which honours it, and by dupes' own
// deadline on mongo-java-server, which ignores it (its scan of these documents takes far
// longer than the 101 ms dupes waits).
func TestMaxTimeOnTheEngine(t *testing.T) {
	db := mongotest.DB(t).Name()
	const n = 50_000
	docs := make([]bson.D, 0, n)
	for i := range n {
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: fmt.Sprintf("user%d@example.com", i/2)},
			{Key: "name", Value: strings.Repeat("x", 100)}})
	}
	insert(t, db, "users", docs...)
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{MaxTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ns := model.Namespace{DB: db, Coll: "users"}
	cur, err := c.Scan(context.Background(), ns, model.Key{Fields: []string{"email"}})
	if err == nil {
		defer cur.Close(context.Background())
		var got []model.Group
		got, err = cur.All(context.Background())
		if err == nil {
			t.Fatalf("a scan of %d documents ended within --max-time 1ms, with %d groups", n, len(got))
		}
	}
	wantMaxTime(t, err, "the scan of "+ns.String(), time.Millisecond, !mongotest.JavaServer())
}
