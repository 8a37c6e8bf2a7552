package mongo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestRunReportsAKeeperLostMeanwhile: a keeper, of every _id type, deleted by someone else
// after the run deleted its group's members (a late write of another run, held up past its lease, or an application)
// leaves the group with no document. The lease cannot fence a write already in the network, so
// the run reads its keepers back at the end: the lost one is in the report, the notice names
// the backup holding the group's members, and the run ends in an error.
func TestRunReportsAKeeperLostMeanwhile(t *testing.T) {
	for _, k := range mongotest.IDKinds {
		t.Run(k.Name, func(t *testing.T) {
			c, db := connect(t)
			users := coll(t, db, "users")
			for i, id := range k.Asc {
				if _, err := users.InsertOne(context.Background(), bson.D{{Key: "_id", Value: id},
					{Key: "email", Value: "a@x.com"}, {Key: "n", Value: int32(i)}}); err != nil {
					t.Fatal(err)
				}
			}
			plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
			keeper := plan.Groups[0].Keep
			id, err := keeper.Raw()
			if err != nil {
				t.Fatal(err)
			}
			rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir(),
				Progress: func(model.Progress) {
					if _, err := users.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: id}}); err != nil {
						t.Fatal(err)
					}
				}})
			if err == nil || !strings.Contains(err.Error(), "lost their keeper") || !strings.Contains(err.Error(), rep.BackupPath) {
				t.Fatalf("a lost keeper went unreported: %v", err)
			}
			if len(rep.KeepersLost) != 1 || rep.KeepersLost[0] != keeper || rep.Deleted != 2 {
				t.Fatalf("report: lost %v, deleted %d; want [%s], 2", rep.KeepersLost, rep.Deleted, keeper)
			}
			if len(rep.Notices) != 1 || !strings.Contains(rep.Notices[0], keeper.Display()) {
				t.Fatalf("notices: %q", rep.Notices)
			}
		})
	}
}
