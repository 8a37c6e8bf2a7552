package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// TestStoreExecutePacesTheRun: the TUI's store hands the adapter the run's pace: batches of
// --batch-size documents, the execute screen's Hold (the run pauses after the batch in flight,
// reports why, deletes nothing meanwhile, and goes on when it says ""), and the notice that
// --max-lag cannot work where there is no replica set.
func TestStoreExecutePacesTheRun(t *testing.T) {
	f := newFixture(t)
	f.insert("people",
		map[string]any{"_id": 1, "email": "a"}, map[string]any{"_id": 2, "email": "a"},
		map[string]any{"_id": 3, "email": "b"}, map[string]any{"_id": 4, "email": "b"},
		map[string]any{"_id": 5, "email": "c"}, map[string]any{"_id": 6, "email": "c"})
	ctx := context.Background()
	c, err := mongo.Connect(ctx, f.uri, mongo.Options{Command: "tui"})
	if err != nil {
		t.Fatal(err)
	}
	defer closeClient(c)
	s := mongoStore{c}
	ns := model.Namespace{DB: f.db, Coll: "people"}
	key := model.Key{Fields: []string{"email"}}
	cur, err := s.Scan(ctx, ns, key)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := cur.(*mongo.Cursor).All(ctx)
	if err != nil || len(groups) != 3 {
		t.Fatalf("scan: %d groups, %v", len(groups), err)
	}
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: key, Rule: "first"}
	for _, g := range groups {
		plan.Groups = append(plan.Groups, model.Decide(g, 0, model.ByRule))
	}
	_, lagErr := c.ReplicationLag(ctx)
	// Hold and progress are both called on the run's goroutine: no lock needed.
	held, paused, batches := false, 0, 0
	var atPause int64
	var notices []string
	pace := model.Pace{BatchSize: 1, MaxLag: time.Hour,
		Hold: func() string {
			if held {
				return "held by the test"
			}
			return ""
		},
		Notice: func(n string) { notices = append(notices, n) }}
	rep, err := s.Execute(ctx, plan, t.TempDir(), pace, func(p model.Progress) {
		switch {
		case p.Paused != "":
			paused++
			if p.Paused != "held by the test" || p.Pauses.Count != 1 || f.count("people") != atPause {
				t.Errorf("while paused: %+v, %d documents (%d at the pause)", p, f.count("people"), atPause)
			}
			held = false
		case p.DocsDeleted == 1 && paused == 0:
			batches++
			held, atPause = true, f.count("people")
		default:
			batches++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != 3 || rep.Cancelled || rep.Pauses.Count != 1 || paused == 0 || batches < 3 {
		t.Fatalf("report %+v after %d batches and %d paused reports: want 3 deleted one a batch, one pause", rep, batches, paused)
	}
	if errors.Is(lagErr, mongo.ErrNoReplicaSet) && (len(notices) != 1 || !strings.Contains(notices[0], "--max-lag")) {
		t.Fatalf("no replica set, notices %q: want the one that --max-lag does nothing", notices)
	}
	t.Logf("lag read: %v; notices %q", lagErr, notices)
}
