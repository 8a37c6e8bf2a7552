package mongo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestRunReportsAKeeperLostMeanwhile: a keeper deleted by someone else after the run deleted
// its group's members (a late write of another run, held up past its lease, or an application)
// leaves the group with no document. The lease cannot fence a write already in the network, so
// the run reads its keepers back at the end: the lost one is in the report, the notice names
// the backup holding the group's members, and the run ends in an error.
func TestRunReportsAKeeperLostMeanwhile(t *testing.T) {
	c, db := connect(t)
	users(t, db, 3, 2)
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	first := plan.Groups[0].Keep
	id, err := first.Raw()
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir(), BatchSize: 1,
		Progress: func(model.Progress) {
			if calls++; calls == 1 {
				if _, err := coll(t, db, "users").DeleteOne(context.Background(), bson.D{{Key: "_id", Value: id}}); err != nil {
					t.Fatal(err)
				}
			}
		}})
	if err == nil || !strings.Contains(err.Error(), "lost their keeper") || !strings.Contains(err.Error(), rep.BackupPath) {
		t.Fatalf("a lost keeper went unreported: %v", err)
	}
	if len(rep.KeepersLost) != 1 || rep.KeepersLost[0] != first || rep.Deleted != 3 {
		t.Fatalf("report: lost %v, deleted %d; want [%s], 3", rep.KeepersLost, rep.Deleted, first)
	}
	if len(rep.Notices) != 1 || !strings.Contains(rep.Notices[0], first.Display()) {
		t.Fatalf("notices: %q", rep.Notices)
	}
}
