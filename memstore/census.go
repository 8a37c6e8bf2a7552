package memstore

import (
	"context"

	"github.com/dupes-tui/dupes/model"
)

// Census counts the candidate keys of every collection of a database within a budget
// (model.TakeCensus), as the adapter's Census does: the TUI's census in --demo.
func (s *Store) Census(ctx context.Context, db string, opt model.CensusOptions, report func(model.CandidateCount)) (model.Census, error) {
	return model.TakeCensus(ctx, s, db, opt, report)
}

var _ model.CensusSource = (*Store)(nil)
