package memstore

import (
	"context"

	"github.com/dupes-tui/dupes/model"
)

// DuplicateCount counts what Scan finds under k: its groups and their surplus documents,
// from the same groups (model.IndexKeys), so the demo's counts are its scan's.
func (s *Store) DuplicateCount(ctx context.Context, ns model.Namespace, k model.Key) (model.DupCount, error) {
	if err := ctx.Err(); err != nil {
		return model.DupCount{}, err
	}
	if err := k.Validate(); err != nil {
		return model.DupCount{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return model.DupCount{}, err
	}
	gs, err := groups(c, k)
	if err != nil {
		return model.DupCount{}, err
	}
	return model.CountGroups(gs), nil
}

// SampleDistinct counts each path's distinct values among the first n documents (all when
// n is 0), as SampleFields samples them.
func (s *Store) SampleDistinct(ctx context.Context, ns model.Namespace, paths []string, n int) (map[string]int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	docs, err := s.firstDocs(ns, n)
	if err != nil {
		return nil, err
	}
	want := map[string]map[model.Value]bool{}
	for _, p := range paths {
		want[p] = map[model.Value]bool{}
	}
	for _, d := range docs {
		for _, f := range d.Fields {
			if seen := want[f.Path]; seen != nil {
				seen[f.Value] = true
			}
		}
	}
	out := make(map[string]int, len(want))
	for p, seen := range want {
		out[p] = len(seen)
	}
	return out, nil
}

// Candidates lists a collection's candidate keys in the order worth counting
// (model.RankCandidates), as the adapter's Candidates does.
func (s *Store) Candidates(ctx context.Context, ns model.Namespace) ([]model.Candidate, error) {
	s.mu.Lock()
	c, err := s.coll(ns)
	var col model.Collection
	if err == nil {
		col = c.info
		col.Count = int64(len(c.docs))
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return model.FindCandidates(ctx, s, col, 0)
}

// CountCandidates counts candidates in turn within a budget (model.CountCandidates).
func (s *Store) CountCandidates(ctx context.Context, cands []model.Candidate, b model.Budget,
	report func(model.CandidateCount)) ([]model.CandidateCount, []model.NotDone) {
	return model.CountCandidates(ctx, cands, b, s.DuplicateCount, report)
}
