package mongo_test

import (
	"context"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestLeaseDBHoldsTheLease: with Options.LeaseDB the run's lease lives in that database's
// _dupes_leases, keyed by the namespace, and the data's own database gets no collection of
// dupes'.
func TestLeaseDBHoldsTheLease(t *testing.T) {
	_, db := connect(t)
	users(t, db, 2, 2)
	leases := mongotest.DB(t).Name()
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{LeaseDB: leases})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	var during int64 = -1
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir(), BatchSize: 1,
		Progress: func(model.Progress) {
			if during < 0 {
				n, err := coll(t, leases, mongo.LeaseCollection).CountDocuments(context.Background(), bson.D{{Key: "_id", Value: ns.String()}})
				if err != nil {
					t.Fatal(err)
				}
				during = n
			}
		}})
	if err != nil || rep.Deleted != 2 {
		t.Fatalf("run: %v %+v", err, rep)
	}
	if during != 1 {
		t.Fatalf("%d leases on %s in %s during the run, want 1", during, ns, leases)
	}
	names, err := mongotest.Client(t).Database(db).ListCollectionNames(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == mongo.LeaseCollection {
			t.Fatalf("the data's database %s got %s although --lease-db named %s", db, n, leases)
		}
	}
}
