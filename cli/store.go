package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/ui"
)

// mongoStore adapts the driver adapter to the UI's Store interface.
type mongoStore struct{ c *mongo.Client }

func (s mongoStore) Databases(ctx context.Context) ([]model.Database, error) {
	return s.c.Databases(ctx)
}

func (s mongoStore) Collections(ctx context.Context, db string) ([]model.Collection, error) {
	return s.c.Collections(ctx, db)
}

func (s mongoStore) Indexes(ctx context.Context, ns model.Namespace) ([]model.Index, error) {
	return s.c.Indexes(ctx, ns)
}

func (s mongoStore) SampleFields(ctx context.Context, ns model.Namespace, n int) ([]model.FieldInfo, error) {
	return s.c.SampleFields(ctx, ns, n)
}

func (s mongoStore) Scan(ctx context.Context, ns model.Namespace, key model.Key) (ui.GroupCursor, error) {
	cur, err := s.c.Scan(ctx, ns, key)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return cur, nil
}

// AvgDocSize lets the review estimate the backup's size (ui.SizeEstimator).
func (s mongoStore) AvgDocSize(ctx context.Context, ns model.Namespace) (int64, error) {
	return s.c.AvgDocSize(ctx, ns)
}

// BackupSizeEstimate lets the review estimate the backup from the documents it will hold.
func (s mongoStore) BackupSizeEstimate(ctx context.Context, ns model.Namespace, ids []model.Value) (int64, error) {
	return s.c.BackupSizeEstimate(ctx, ns, ids)
}

// DuplicateCount counts a key's duplicate groups and surplus without listing them (the key
// screen's counts column).
func (s mongoStore) DuplicateCount(ctx context.Context, ns model.Namespace, key model.Key) (model.DupCount, error) {
	return s.c.DuplicateCount(ctx, ns, key)
}

// CountCandidates counts candidate keys in turn within a budget (the key screen's column).
func (s mongoStore) CountCandidates(ctx context.Context, cands []model.Candidate, b model.Budget,
	report func(model.CandidateCount)) ([]model.CandidateCount, []model.NotDone) {
	return s.c.CountCandidates(ctx, cands, b, report)
}

// Census counts every collection's candidate keys within a budget (the collections list).
func (s mongoStore) Census(ctx context.Context, db string, opt model.CensusOptions, report func(model.CandidateCount)) (model.Census, error) {
	return s.c.Census(ctx, db, opt, report)
}

// SampleDistinct counts distinct sampled values per path: the key screen counts the fields
// that look unique first.
func (s mongoStore) SampleDistinct(ctx context.Context, ns model.Namespace, paths []string, n int) (map[string]int, error) {
	return s.c.SampleDistinct(ctx, ns, paths, n)
}

// Shape measures the groups' sizes and the fields their members differ in (the groups screen).
func (s mongoStore) Shape(ctx context.Context, ns model.Namespace, groups []model.Group, progress func(done, total int)) (model.Shape, error) {
	return s.c.Shape(ctx, ns, groups, progress)
}

func (s mongoStore) ScanCommand(ns model.Namespace, key model.Key) (string, error) {
	return mongo.MongoshCommand(ns, key)
}

func (s mongoStore) FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error) {
	return s.c.FetchDocs(ctx, ns, ids)
}

func (s mongoStore) Keepers(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) ([]int, error) {
	return s.c.Keepers(ctx, ns, rule, groups)
}

func (s mongoStore) MergePreview(ctx context.Context, ns model.Namespace, rule model.KeepRule, opt model.MergeOptions,
	keep model.Value, members []model.Value) (model.Merged, error) {
	return s.c.MergePreview(ctx, ns, rule, opt, keep, members)
}

// ShardKey lets the TUI offer a unique index a sharded collection accepts (ui.ShardKeyer).
func (s mongoStore) ShardKey(ctx context.Context, ns model.Namespace) (model.ShardKey, error) {
	return s.c.ShardKey(ctx, ns)
}

// CreateUniqueIndex builds the offered index; when an index of that name exists and is not
// unique, the error says so in a type (model.IndexExistsError) the done screen offers a fix for.
func (s mongoStore) CreateUniqueIndex(ctx context.Context, ns model.Namespace, key model.Key) (string, error) {
	name, err := s.c.CreateUniqueIndex(ctx, ns, key)
	if err == nil || name == "" {
		return name, err
	}
	if ixs, lerr := s.c.Indexes(ctx, ns); lerr == nil {
		for _, ix := range ixs {
			if ix.Name == name && !ix.Unique {
				return name, &model.IndexExistsError{NS: ns, Name: name, Err: err}
			}
		}
	}
	return name, err
}

// MakeUnique and DropIndex fix an existing non-unique index of the offered name (ui.IndexFixer).
func (s mongoStore) MakeUnique(ctx context.Context, ns model.Namespace, name string) error {
	err := s.c.MakeUnique(ctx, ns, name)
	if errors.Is(err, mongo.ErrNoCollModUnique) {
		return fmt.Errorf("%w: %s", ui.ErrCannotMakeUnique, strings.TrimPrefix(err.Error(), mongo.ErrNoCollModUnique.Error()+": "))
	}
	return err
}

func (s mongoStore) DropIndex(ctx context.Context, ns model.Namespace, name string) error {
	return s.c.DropIndex(ctx, ns, name)
}

// Collations says whether the server builds indexes with a collation (ui.CollationChecker):
// FerretDB has none, so no unique index can ignore case there.
func (s mongoStore) Collations(ctx context.Context) (bool, string, error) {
	e, err := s.c.Engine(ctx)
	return e.Collation, e.String(), err
}

// Execute runs the plan with the TUI's pace: the flags' batch size, rate and pauses, and the
// execute screen's p as the Hold. A pause keeps the lease (the adapter renews it meanwhile).
func (s mongoStore) Execute(ctx context.Context, plan model.Plan, backupDir string, pace model.Pace,
	progress func(model.Progress)) (model.Report, error) {
	return s.c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: backupDir, BatchDocs: pace.BatchSize, Progress: progress,
		Pace: mongo.Pace{MaxRate: pace.MaxRate, MaxLag: pace.MaxLag, PauseFile: pace.PauseFile, Hold: pace.Hold, Notice: pace.Notice}})
}
