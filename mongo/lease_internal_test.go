package mongo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestLeaseRenewsAndNoticesLoss holds a lease with a short TTL: the background renewal moves
// its expiry on, a second taker is refused meanwhile, and once the lease document is removed
// by hand the next renewal marks it lost, which stops the run at its next batch.
func TestLeaseRenewsAndNoticesLoss(t *testing.T) {
	db := mongotest.DB(t)
	c, err := Connect(context.Background(), mongotest.URI(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ns := model.Namespace{DB: db.Name(), Coll: "users"}
	const ttl = 3 * time.Second
	l, err := c.acquireLease(context.Background(), ns, ttl)
	if err != nil {
		t.Fatal(err)
	}
	defer l.release()
	first := l.info.Expires
	leases := db.Collection(LeaseCollection)
	for { // until a renewal has landed (one every ttl/3)
		var got LeaseInfo
		if err := leases.FindOne(context.Background(), bson.D{{Key: "_id", Value: ns.String()}}).Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Expires.After(first) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := l.check(); err != nil {
		t.Fatalf("renewed lease: %v", err)
	}
	var held *LeaseHeldError
	if _, err := c.acquireLease(context.Background(), ns, ttl); !errors.As(err, &held) || held.Holder.Run != l.info.Run {
		t.Fatalf("second taker: %v", err)
	}
	if _, err := leases.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: ns.String()}}); err != nil {
		t.Fatal(err)
	}
	for l.check() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	if err := l.check(); !strings.Contains(err.Error(), "lost the lease on "+ns.String()) {
		t.Fatalf("after removal: %v", err)
	}
}
