package mongo

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/dupes-tui/dupes/model"
)

// A streamed run executes a plan that arrives a chunk at a time (dupes resolve plans the
// scan's groups chunk by chunk, model.BuildPlan on each), so its memory does not grow with the
// collection: one backup file, one manifest and one lease for the whole run, while only the
// current chunk's groups and results are held. What it keeps across chunks is counters, a
// sample of the skipped and failed groups (model.SampleGroups), and nothing per document:
//
//   - the backup's index of what it holds (backupFile.held) is not kept. That index serves
//     only the resume of an interrupted plan, and a streamed run is never resumed: running
//     resolve again scans again, and what the first run deleted is gone (and in its backup);
//   - the report's Groups stays empty (Report.Streamed, Report.Sample).
//
// Planning chunks apart is exact only for groups that share no document with any other, which
// the scan marks (ScanOptions.MarkMultikey): the caller sends those in chunks with disjoint
// set, and the multikey ones together, as one last whole plan. In a disjoint chunk the
// executor also leaves alone a document that has more than one index key when re-read
// (ReasonMultikey): it changed into an array since the scan and may now sit in a group of
// another chunk, so no chunk can delete a document another chunk keeps.

// streamTotals are the counts of the chunks a streamed run has finished.
type streamTotals struct {
	groups, deletes                               int
	deleted, earlier, skipped, failed, notReached int
	skippedBy                                     map[string]int
}

// Stream is a streamed run: StartStream, Run for each chunk, Finish once.
type Stream struct {
	r *execRun
}

// StartStream starts a streamed run of the plan head (its groups, if any, are ignored): it
// checks the collection, takes the namespace's lease, and creates the backup and its manifest
// (marked Streamed). Finish must be called, whatever happens next.
func (c *Client) StartStream(ctx context.Context, head model.Plan, opt ExecOptions) (*Stream, error) {
	if c.readOnly {
		return nil, ErrReadOnly
	}
	head.Groups = nil
	if err := head.Validate(); err != nil {
		return nil, fmt.Errorf("refusing the plan: %w", err)
	}
	opt.defaults()
	guard, err := newKeyGuard(head.Key)
	if err != nil {
		return nil, fmt.Errorf("refusing the plan: %w", err)
	}
	r, err := c.newRun(ctx, head, guard, opt)
	if err != nil {
		return nil, err
	}
	if err := r.openStream(time.Now()); err != nil {
		r.lease.release()
		return nil, err
	}
	return &Stream{r: r}, nil
}

// openStream creates the run's backup and manifest; a streamed run never continues another's.
func (r *execRun) openStream(now time.Time) error {
	r.begin(now, "")
	r.rep.Streamed, r.manifest.Streamed = true, true
	var err error
	if r.opt.backupPath != "" {
		r.backup, _, err = openBackup(r.opt.backupPath, false)
		r.manifestPath = manifestPath(filepath.Join(r.opt.BackupDir, filepath.Base(r.opt.backupPath)))
	} else if r.backup, err = createBackup(r.opt.BackupDir, r.plan.NS, now); err == nil {
		r.manifestPath = manifestPath(r.backup.path)
	}
	if err != nil {
		return err
	}
	r.backup.held = nil
	if err := r.ready(now); err != nil {
		return err
	}
	if r.keepers != nil {
		r.keepers.held = nil
	}
	return nil
}

// Run executes one chunk: plan groups that model.BuildPlan made together. disjoint says they
// share no document with any group of another chunk (none of their scan groups was
// Multikey). It returns the error that stopped the run; after a cancel (between batches, as
// Execute) it returns nil and Cancelled reports it. Neither may be followed by another Run.
func (s *Stream) Run(ctx context.Context, groups []model.PlanGroup, disjoint bool) error {
	r := s.r
	if r.err != nil || r.rep.Cancelled {
		return fmt.Errorf("the streamed run of %s has stopped", r.plan.NS)
	}
	chunk := r.plan
	chunk.Groups = groups
	if err := chunk.Validate(); err != nil {
		return fmt.Errorf("refusing the plan: %w", err)
	}
	for i, g := range groups {
		if _, err := rawValues(append([]model.Value{g.Keep}, g.Delete...)); err != nil {
			return fmt.Errorf("refusing the plan: group %d: _id %w", r.done.groups+i+1, err)
		}
	}
	r.plan.Groups, r.disjoint = groups, disjoint
	r.runGroups(ctx)
	r.fold()
	return r.err
}

// Cancelled reports a run stopped by a cancel.
func (s *Stream) Cancelled() bool { return s.r.rep.Cancelled }

// Finish ends the run: its status in the manifest, the files closed, the lease ended (endLease). cause
// is what stopped the caller before the end (a failed scan), if anything; a cancelled ctx
// marks the run cancelled. It returns the report and the error that stopped the run.
func (s *Stream) Finish(ctx context.Context, cause error) (model.Report, error) {
	r := s.r
	defer r.backup.Close()
	defer r.closeKeepers()
	switch {
	case r.err != nil:
	case ctx.Err() != nil:
		r.rep.Cancelled = true
	case cause != nil:
		r.err = cause
	}
	rep := r.finish()
	rep.Notices = append(rep.Notices, r.endLease()...)
	return rep, r.err
}

// fold adds the finished chunk to the totals and the sample, and lets its groups go.
func (r *execRun) fold() {
	for i, g := range r.rep.Groups {
		if (len(g.Skipped) == 0 && g.Error == "") || len(r.rep.Sample) >= model.SampleGroups {
			continue
		}
		if len(g.Skipped) > model.SampleSkipped {
			g.Skipped = append([]model.SkippedDoc(nil), g.Skipped[:model.SampleSkipped]...)
		}
		pg := r.plan.Groups[i]
		r.rep.Sample = append(r.rep.Sample, model.SampledGroup{Key: pg.Key, Keep: pg.Keep, GroupResult: g})
	}
	rep := &r.rep // tally has summed the chunk into it
	r.done = streamTotals{
		groups: r.done.groups + len(r.plan.Groups), deletes: r.done.deletes + r.plan.Deletes(),
		deleted: rep.Deleted, earlier: rep.Earlier, skipped: rep.SkippedDocs, skippedBy: rep.SkippedBy,
		failed: rep.FailedGroups, notReached: rep.NotReached,
	}
	r.rep.Groups, r.plan.Groups = nil, nil
}
