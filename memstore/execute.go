package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// Execute runs a plan with the real executor's guarantees, in memory: per batch of groups it
// checks that the keeper still exists with the group's key and that each planned delete still
// has it, backs the documents up (kept in memory under Report.BackupPath), then deletes them.
// What changed is skipped and reported. Between batches it pauses while pace says so (Hold, the
// pause file) and keeps to pace.MaxRate by sleeping (pace.go). Cancelling ctx stops before the
// next batch, or during a pause.
func (s *Store) Execute(ctx context.Context, plan model.Plan, backupDir string, pace model.Pace,
	progress func(model.Progress)) (model.Report, error) {
	if err := plan.Validate(); err != nil {
		return model.Report{}, err
	}
	now := s.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	rep := model.Report{NS: plan.NS, StartedAt: start.UTC()}
	rep.BackupPath = fmt.Sprintf("memory:%s.%s.bson", plan.NS, start.UTC().Format("20060102T150405Z"))
	s.mu.Lock()
	c, err := s.coll(plan.NS)
	if err == nil {
		err = c.info.CanDelete()
	}
	s.mu.Unlock()
	if err != nil {
		return model.Report{}, err
	}
	batch := s.ExecBatch
	if batch <= 0 {
		batch = 500
	}
	prog := model.Progress{GroupsTotal: len(plan.Groups), DocsTotal: plan.Deletes(), MaxRate: pace.MaxRate}
	report := func() {
		prog.Elapsed = now().Sub(start)
		if progress != nil {
			progress(prog)
		}
	}
	pc := newPacer(pace)
	for from := 0; from < len(plan.Groups); {
		err := pc.hold(ctx, func(why string, p model.Pauses) { prog.Paused, prog.Pauses = why, p; report() })
		if err == nil {
			err = ctx.Err()
		}
		if err != nil {
			rep.Cancelled = true
			for i := from; i < len(plan.Groups); i++ {
				rep.Groups = append(rep.Groups, model.GroupResult{Group: i, Outcome: model.NotReached})
				rep.NotReached++
			}
			break
		}
		to := pc.batchEnd(plan, from, batch)
		if err := pc.take(ctx, plan, from, to); err != nil {
			continue // cancelled while waiting for the rate: the next turn reports it
		}
		if s.Delay > 0 {
			time.Sleep(s.Delay)
		}
		s.mu.Lock()
		for i := from; i < to; i++ {
			res := s.runGroup(c, plan, plan.Groups[i], rep.BackupPath)
			res.Group = i
			if len(res.Merged) > 0 {
				rep.MergedKeepers++
			}
			rep.Deleted += res.Deleted
			rep.CountSkipped(res.Skipped)
			if res.Outcome == model.Failed {
				rep.FailedGroups++
			}
			rep.Groups = append(rep.Groups, res)
			prog.DocsDeleted += res.Deleted
		}
		s.mu.Unlock()
		prog.GroupsDone = to
		report()
		from = to
	}
	rep.Pauses = pc.pauses
	rep.FinishedAt = now().UTC()
	return rep, nil
}

// runGroup deletes one group's planned documents under the guards, merging them into the
// keeper first when the plan says so. Called with s.mu held: nothing changes the keeper between
// the read its merge is computed from and its update (the adapter's whole-document guard).
func (s *Store) runGroup(c *collection, plan model.Plan, g model.PlanGroup, backup string) model.GroupResult {
	k := plan.Key
	res := model.GroupResult{}
	keeper, ok := c.find(g.Keep)
	if !ok {
		return skipAll(g, model.ReasonKeeperGone)
	}
	if !hasKey(keeper, k.Spec(), g.Key) {
		return skipAll(g, model.ReasonKeeperChanged)
	}
	if plan.Merge != nil && g.KeepFingerprint != "" && fingerprint(keeper) != g.KeepFingerprint {
		return skipAll(g, model.ReasonKeeperChangedSincePlan)
	}
	var going []model.Doc
	for j, id := range g.Delete {
		d, ok := c.find(id)
		if !ok {
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: model.ReasonGone})
			continue
		}
		if !hasKey(d, k.Spec(), g.Key) {
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: model.ReasonKeyChanged})
			continue
		}
		if g.DeleteFingerprints != nil && fingerprint(d) != g.DeleteFingerprints[j] {
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: model.ReasonChangedSincePlan})
			continue
		}
		going = append(going, d)
	}
	if plan.Merge != nil && len(going) > 0 {
		m, err := mergeDocs(plan.MergeRule(), *plan.Merge, keeper, going)
		var doc model.Doc
		if err == nil {
			doc, err = merged(keeper, m)
		}
		if err != nil {
			r := skipAll(g, model.ReasonMergeFailed+": "+err.Error())
			r.Outcome = model.Failed
			return r
		}
		if len(m.Gains) > 0 {
			s.keepers[backup] = append(s.keepers[backup], keeper)
			c.replace(doc)
			for _, gn := range m.Gains {
				res.Merged = append(res.Merged, gn.Field)
			}
		}
	}
	for _, d := range going {
		s.backup[backup] = append(s.backup[backup], d)
		c.remove(d.ID)
		res.Deleted++
	}
	switch {
	case res.Deleted == len(g.Delete):
		res.Outcome = model.Deleted
	case res.Deleted == 0:
		res.Outcome = model.Skipped
	default:
		res.Outcome = model.Partial
	}
	return res
}

// fingerprint is this store's model.Fingerprint of a document: it holds no BSON, so the hash
// is of the _id and every field's path and value (canonical Extended JSON) in order, which
// differ when the document does.
func fingerprint(d model.Doc) model.Fingerprint {
	var b []byte
	b = append(append(b, d.ID...), 0)
	for _, f := range d.Fields {
		b = append(append(append(append(b, f.Path...), 0), f.Value...), 0)
	}
	return model.FingerprintOf(b)
}

func skipAll(g model.PlanGroup, reason string) model.GroupResult {
	res := model.GroupResult{Outcome: model.Skipped}
	for _, id := range g.Delete {
		res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: reason})
	}
	return res
}

// CreateUniqueIndex adds a unique index on the key when no two documents collide under it
// (exactly: an index neither folds case nor trims), as a server's index build would.
func (s *Store) CreateUniqueIndex(ctx context.Context, ns model.Namespace, k model.Key) (string, error) {
	if err := k.Validate(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.coll(ns)
	if err != nil {
		return "", err
	}
	if err := c.info.CanDelete(); err != nil {
		return "", err
	}
	name := k.Index
	if name == "" {
		name = strings.Join(k.Fields, "_1_") + "_1"
	}
	exact := k
	exact.IgnoreCase, exact.Trim, exact.Filter = false, false, ""
	gs, err := groups(c, exact)
	if err != nil {
		return "", err
	}
	if k.PartialFilter != "" && k.PartialFilter == model.NonNullFilter(k.Fields) {
		// The partial index dupes offers leaves out documents with a key field missing or
		// null: their groups do not stop the build. (Other partial filters are not evaluated.)
		gs = slices.DeleteFunc(gs, func(g model.Group) bool { return slices.Contains(g.Key, model.Null) })
	}
	if len(gs) > 0 {
		return name, fmt.Errorf("unique index %s on %s not built: %d groups of duplicates remain (for example %s)",
			name, ns, len(gs), gs[0].Key[0].Display())
	}
	for _, ix := range c.indexes {
		if ix.Name == name {
			if !ix.Unique {
				return name, &model.IndexExistsError{NS: ns, Name: name}
			}
			return name, nil
		}
	}
	c.indexes = append(c.indexes, model.Index{Name: name, Fields: append([]string(nil), k.Fields...), Unique: true,
		Sparse: k.Sparse, PartialFilter: k.PartialFilter, Collation: k.Collation})
	return name, nil
}
