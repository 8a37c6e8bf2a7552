package memstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// ordersPlan is the demo's shop.orders plan, keep first, one group a batch.
func ordersPlan(t *testing.T) (*Store, model.Plan) {
	t.Helper()
	s := Demo()
	s.ExecBatch = 1
	ns := model.Namespace{DB: "shop", Coll: "orders"}
	k := model.Key{Fields: []string{"orderNo"}}
	p := model.Plan{Version: model.PlanVersion, NS: ns, Key: k, Rule: "first"}
	for _, g := range scanAll(t, s, ns, k) {
		p.Groups = append(p.Groups, model.Decide(g, 0, model.ByRule))
	}
	if len(p.Groups) < 3 {
		t.Fatalf("the demo's orders have %d groups: too few to pause between", len(p.Groups))
	}
	return s, p
}

// TestExecuteHoldsBetweenBatchesWhileHoldSaysSo: Hold pauses the run after the batch in
// flight; it reports the pause (why, and the pauses so far) each time it looks again, and
// deletes nothing meanwhile; once Hold says "" it reports the resume and goes on.
func TestExecuteHoldsBetweenBatchesWhileHoldSaysSo(t *testing.T) {
	s, p := ordersPlan(t)
	// Hold and the progress callback both run on the run's goroutine: no clock, no race.
	held, looks := false, 0
	var after1 int
	pace := model.Pace{Hold: func() string {
		if held {
			return "held by the test"
		}
		return ""
	}}
	var last model.Progress
	rep, err := s.Execute(ctx, p, "", pace, func(pr model.Progress) {
		switch {
		case pr.Paused != "":
			looks++
			if pr.Paused != "held by the test" || pr.GroupsDone != 1 || pr.Pauses.Count != 1 || len(s.Docs(p.NS)) != after1 {
				t.Errorf("while paused: %+v, %d documents (%d at the pause)", pr, len(s.Docs(p.NS)), after1)
			}
			held = looks < 3
		case pr.GroupsDone == 1 && looks == 0:
			held, after1 = true, len(s.Docs(p.NS))
		}
		last = pr
	})
	if err != nil {
		t.Fatal(err)
	}
	if looks != 3 || rep.Cancelled || rep.NotReached != 0 || rep.Pauses.Count != 1 || rep.Pauses.Total <= 0 {
		t.Fatalf("%d paused reports, report %+v", looks, rep)
	}
	if last.Paused != "" || last.GroupsDone != len(p.Groups) || last.Pauses.Count != 1 {
		t.Fatalf("last progress %+v", last)
	}
}

// TestExecuteCancelDuringAPauseStops: cancelling a paused run ends the pause and the run, the
// groups not yet run left not reached (resumable).
func TestExecuteCancelDuringAPauseStops(t *testing.T) {
	s, p := ordersPlan(t)
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	pace := model.Pace{Hold: func() string { return "held" }}
	rep, err := s.Execute(c, p, "", pace, func(pr model.Progress) {
		if pr.Paused != "" {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Cancelled || rep.NotReached != len(p.Groups) || rep.Deleted != 0 || rep.Pauses.Count != 1 {
		t.Fatalf("report %+v: want every group not reached, one pause", rep)
	}
}

// TestExecutePauseFile: the run pauses while the pause file exists, saying so.
func TestExecutePauseFile(t *testing.T) {
	s, p := ordersPlan(t)
	f := filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var why string
	rep, err := s.Execute(ctx, p, "", model.Pace{PauseFile: f}, func(pr model.Progress) {
		if pr.Paused != "" && why == "" {
			why = pr.Paused
			if err := os.Remove(f); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(why, f) || rep.Pauses.Count != 1 || rep.NotReached != 0 {
		t.Fatalf("paused for %q, report %+v", why, rep)
	}
}

// TestExecuteBatchesByPace: BatchSize and MaxRate cut the batches by documents (whole groups,
// at least one), the progress carries the rate limit, and --max-lag says it does nothing here.
func TestExecuteBatchesByPace(t *testing.T) {
	s, p := ordersPlan(t)
	s.ExecBatch = 100
	var notices []string
	var batches []model.Progress
	rep, err := s.Execute(ctx, p, "", model.Pace{BatchSize: 2, MaxRate: 1000, MaxLag: 10e9,
		Notice: func(n string) { notices = append(notices, n) }}, func(pr model.Progress) { batches = append(batches, pr) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Deleted != p.Deletes() || len(batches) < 2 {
		t.Fatalf("report %+v in %d batches", rep, len(batches))
	}
	docs, groups := 0, 0
	for _, b := range batches {
		if b.MaxRate != 1000 || b.DocsDeleted-docs > 2 && b.GroupsDone-groups > 1 {
			t.Errorf("batch %+v (after %d documents): over the batch size, or without the rate", b, docs)
		}
		docs, groups = b.DocsDeleted, b.GroupsDone
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "--max-lag") {
		t.Fatalf("notices %q", notices)
	}
}
