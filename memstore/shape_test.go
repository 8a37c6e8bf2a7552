package memstore

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/internal/shapeoracle"
	"github.com/dupes-tui/dupes/model"
)

// membersOf reads each group's members still present, as the oracle takes them.
func membersOf(t *testing.T, s *Store, ns model.Namespace, gs []model.Group) [][]model.Doc {
	t.Helper()
	out := make([][]model.Doc, len(gs))
	for i, g := range gs {
		docs, err := s.FetchDocs(ctx, ns, g.IDs)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = docs
	}
	return out
}

// TestShapeOracle: the shape equals a member-by-member comparison of the same groups,
// counts, shares and filters, with members deleted since the scan, over several batches.
func TestShapeOracle(t *testing.T) {
	smallBatches(t)
	for seed := uint64(1); seed <= 5; seed++ {
		s := New()
		ns := model.Namespace{DB: "d", Coll: "c"}
		s.Insert(ns, shapeoracle.Corpus(seed)...)
		gs := scanAll(t, s, ns, shapeoracle.Key)
		// One member of the first two groups of 2 goes: those are left with one, not compared.
		gone := 0
		for _, g := range gs {
			if g.Count() == 2 && gone < 2 {
				s.Remove(ns, g.IDs[1])
				gone++
			}
		}
		var calls []int
		shape, err := s.Shape(ctx, ns, gs, func(done, total int) {
			if total != len(gs) {
				t.Errorf("progress total %d, want %d", total, len(gs))
			}
			calls = append(calls, done)
		})
		if err != nil {
			t.Fatal(err)
		}
		if bad := shapeoracle.Check(shape, gs, membersOf(t, s, ns, gs)); len(bad) > 0 {
			t.Fatalf("seed %d: the shape disagrees with the oracle:\n%s", seed, strings.Join(bad, "\n"))
		}
		if shape.Gone != 2 || shape.Sizes[4].Groups != 1 || shape.LackingKey != 1 || shape.IdenticalGroups == 0 || len(calls) < 2 || calls[len(calls)-1] != len(gs) {
			t.Errorf("seed %d: the corpus does not cover what it should: %+v, progress %v", seed, shape, calls)
		}
	}
}

// TestShapeCancel: cancelled after its first batch, Shape returns the groups measured so far,
// marked partial, with the context's error.
func TestShapeCancel(t *testing.T) {
	smallBatches(t)
	s := New()
	ns := model.Namespace{DB: "d", Coll: "c"}
	s.Insert(ns, shapeoracle.Corpus(1)...)
	gs := scanAll(t, s, ns, shapeoracle.Key)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	shape, err := s.Shape(cctx, ns, gs, func(done, total int) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want cancelled", err)
	}
	if !shape.Partial || shape.Measured == 0 || shape.Measured >= len(gs) || shape.Total != len(gs) {
		t.Fatalf("cancelled shape: partial %v, measured %d of %d", shape.Partial, shape.Measured, shape.Total)
	}
	if bad := shapeoracle.Check(shape, gs, membersOf(t, s, ns, gs)); len(bad) > 0 {
		t.Fatalf("the partial shape disagrees with the oracle:\n%s", strings.Join(bad, "\n"))
	}
}

// smallBatches makes the corpus span several batches of Shape.
func smallBatches(t *testing.T) {
	old := shapeBatch
	shapeBatch = 50
	t.Cleanup(func() { shapeBatch = old })
}
