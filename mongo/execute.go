package mongo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// ExecBatchDocs is how many documents one batch writes unless told otherwise (--batch-size):
// deleted, plus the keepers a merging plan updates. Measured (BENCHMARKS.md, "Batch sizes"):
// fewer costs round trips and synced writes per document, more only lengthens the time a
// batch holds the primary's attention and the run's memory.
const ExecBatchDocs = 1000

// DefaultExecBatch is the most groups a batch covers by default: ExecBatchDocs, since every
// group deletes at least one document.
const DefaultExecBatch = ExecBatchDocs

// MaxBatchDocs is the most documents a batch may be asked to write: one write command
// (maxWriteOps).
const MaxBatchDocs = maxWriteOps

// ExecBatchBytes caps the bytes of the documents one batch re-reads (the keepers and the
// members), whatever their number: a batch holds them, backs them up and sends each in its
// guarded delete, so a run's memory is a few times this, not a few times the batch's count of
// 2 MB documents (BENCHMARKS.md, "Memory by batch bytes"). One group larger than this is still
// read whole: a group is never split.
const ExecBatchBytes = 16 << 20

// ExecBatchTimeout bounds one batch once it has started. A batch in flight is finished even
// after a cancel, so it runs on a context of its own; this keeps a dead network from holding
// it forever.
const ExecBatchTimeout = 2 * time.Minute

// ExecOptions tune a plan run.
type ExecOptions struct {
	// BackupDir receives DB.COLL.TIMESTAMP.bson and its .json manifest.
	BackupDir string
	// BatchSize caps the groups per batch; only BatchDocs when 0.
	BatchSize int
	// BatchDocs caps the documents one batch writes (ExecBatchDocs when 0, at most
	// MaxBatchDocs); ExecBatchBytes caps their bytes.
	BatchDocs int
	// Pace shares a busy primary: a rate, and pauses between batches (throttle.go).
	Pace Pace
	// Progress, if set, is called after every batch, and while the run is paused (from the
	// calling goroutine).
	Progress func(model.Progress)

	// backupPath, set only by this package's tests, names the backup file (e.g. /dev/full)
	// instead of a new one in BackupDir.
	backupPath string
	// batchBytes and leaseTTL, set only by this package's tests, replace ExecBatchBytes and
	// LeaseTTL.
	batchBytes int
	leaseTTL   time.Duration
}

// defaults fills in what the caller left unset.
func (o *ExecOptions) defaults() {
	if o.BatchDocs <= 0 {
		o.BatchDocs = ExecBatchDocs
	}
	o.BatchDocs = min(o.BatchDocs, MaxBatchDocs)
	if o.batchBytes <= 0 {
		o.batchBytes = ExecBatchBytes
	}
}

// Reasons a planned delete is skipped: the words are model's (model/reasons.go), shared with
// the demo store's executor.
const (
	ReasonGone                   = model.ReasonGone
	ReasonKeyChanged             = model.ReasonKeyChanged
	ReasonKeeperGone             = model.ReasonKeeperGone
	ReasonKeeperChanged          = model.ReasonKeeperChanged
	ReasonFiltered               = model.ReasonFiltered
	ReasonUnkeyable              = model.ReasonUnkeyable
	ReasonChanged                = model.ReasonChanged
	ReasonUnequal                = model.ReasonUnequal
	ReasonChangedSincePlan       = model.ReasonChangedSincePlan
	ReasonKeeperChangedSincePlan = model.ReasonKeeperChangedSincePlan
	ReasonTooLarge               = model.ReasonTooLarge
	ReasonMultikey               = model.ReasonMultikey
	ReasonKeeperChangedMerge     = model.ReasonKeeperChangedMerge
	ReasonMergeTooLarge          = model.ReasonMergeTooLarge
	ReasonMergeFailed            = model.ReasonMergeFailed
)

// Execute runs a plan: per batch of groups it re-reads keepers and members, skips what changed
// since the plan (a member no longer holding the key, or not the version the plan recorded:
// its fingerprint), appends exactly the documents it is about to delete to the backup (flushed
// and synced), then deletes each only if it is still exactly the copy backed up (see
// guardFilter). Cancelling ctx finishes the batch in flight and stops. The report accounts
// for every group.
//
// Re-running a plan whose run was interrupted (same digest, same BackupDir) continues that
// run's backup and manifest: what was deleted is gone and counted as Earlier, what was backed
// up but not deleted is deleted now without a second copy in the backup.
//
// A plan with Merge also updates each keeper, guarded and backed up, before its members are
// deleted (merge.go).
//
// A run holds the namespace's lease (see LeaseCollection) from before its first re-read to
// its end, so a second run on the same namespace is refused with a *LeaseHeldError.
func (c *Client) Execute(ctx context.Context, plan model.Plan, opt ExecOptions) (model.Report, error) {
	if c.readOnly {
		return model.Report{}, ErrReadOnly
	}
	if err := plan.Validate(); err != nil {
		return model.Report{}, fmt.Errorf("refusing the plan: %w", err)
	}
	opt.defaults()
	guard, err := newKeyGuard(plan.Key)
	if err != nil {
		return model.Report{}, fmt.Errorf("refusing the plan: %w", err)
	}
	for i, g := range plan.Groups {
		if _, err := rawValues(append([]model.Value{g.Keep}, g.Delete...)); err != nil {
			return model.Report{}, fmt.Errorf("refusing the plan: group %d: _id %w", i+1, err)
		}
	}
	if len(plan.Groups) == 0 {
		now := time.Now()
		return model.Report{NS: plan.NS, StartedAt: now, FinishedAt: now, PlanDigest: plan.Digest()}, nil
	}
	r, err := c.newRun(ctx, plan, guard, opt)
	if err != nil {
		return model.Report{}, err
	}
	if err := r.open(time.Now()); err != nil {
		r.lease.release()
		return model.Report{}, err
	}
	defer r.backup.Close()
	defer r.closeKeepers()
	rep := r.run(ctx)
	rep.Notices = append(rep.Notices, r.endLease()...)
	return rep, r.err
}

// endLease ends the run's hold on the namespace. A write of the run that went unanswered, and
// that the engine cannot fence, may still reach the server: the lease is then left to expire
// at its time, past the write's deadline, instead of being released, so no other run starts
// meanwhile; the notice says until when.
func (r *execRun) endLease() []string {
	if !r.inFlight {
		r.lease.release()
		return nil
	}
	until := r.lease.leave()
	late := "it cannot be carried out past its batch's deadline, which comes first"
	if r.unfenced {
		late = "this engine cannot refuse it once late, so it may land even after then"
	}
	return []string{fmt.Sprintf("a write of this run went unanswered and may still reach the server: the lease on %s is "+
		"left to expire at %s rather than released, so no other run starts before then (%s); the documents it names "+
		"are in %s", r.plan.NS, until.UTC().Format("15:04:05 UTC"), late, r.backup.path)}
}

// newRun checks that the collection may be written and takes the namespace's lease (the
// caller releases it) for a run of plan.
func (c *Client) newRun(ctx context.Context, plan model.Plan, guard keyGuard, opt ExecOptions) (*execRun, error) {
	col, err := c.Collection(ctx, plan.NS)
	if err != nil {
		return nil, err
	}
	if err := col.CanDelete(); err != nil {
		return nil, err
	}
	simple, err := c.hasDefaultCollation(ctx, plan.NS)
	if err != nil {
		return nil, err
	}
	// One run at a time per namespace: two runs of different plans could each keep a member
	// the other deletes, and leave a group with no document at all.
	ttl := LeaseTTL
	if opt.leaseTTL > 0 {
		ttl = opt.leaseTTL
	}
	l, err := c.acquireLease(ctx, plan.NS, ttl)
	if err != nil {
		return nil, err
	}
	r := &execRun{c: c, plan: plan, guard: guard, opt: opt, coll: c.primary(plan.NS), simple: simple,
		lease: l, filtered: map[model.Value]bool{}, pacer: newPacer(c, opt.Pace)}
	r.pacer.report = r.progress
	if n := l.TookOverNotice(); n != "" {
		r.rep.Notices = append(r.rep.Notices, n)
	}
	return r, nil
}

// primary is the collection read from the primary and written with majority write concern,
// as the executor and restore need.
func (c *Client) primary(ns model.Namespace) *mongo.Collection {
	return c.mc.Database(ns.DB).Collection(ns.Coll, primaryMajority())
}

func primaryMajority() *options.CollectionOptionsBuilder {
	return options.Collection().SetReadPreference(readpref.Primary()).SetWriteConcern(writeconcern.Majority())
}

// hasDefaultCollation reports whether a collection compares strings by a collation of its own
// unless told otherwise.
func (c *Client) hasDefaultCollation(ctx context.Context, ns model.Namespace) (bool, error) {
	cmd := c.withComment(bson.D{{Key: "listCollections", Value: 1}, {Key: "filter", Value: bson.D{{Key: "name", Value: ns.Coll}}}})
	cur, err := c.mc.Database(ns.DB).RunCommandCursor(ctx, cmd)
	if err != nil {
		return false, c.wrap("read the options of "+ns.String(), err)
	}
	var specs []struct {
		Name    string   `bson:"name"`
		Options bson.Raw `bson:"options"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return false, c.wrap("read the options of "+ns.String(), err)
	}
	for _, s := range specs { // mongo-java-server ignores the filter
		if s.Name == ns.Coll && s.Options != nil {
			if _, err := s.Options.LookupErr("collation"); err == nil {
				return true, nil
			}
		}
	}
	return false, nil
}

// execRun is one run of a plan.
type execRun struct {
	c     *Client
	plan  model.Plan
	guard keyGuard
	opt   ExecOptions
	coll  *mongo.Collection
	// simple: the collection has a default collation, which the guard must override.
	simple bool
	lease  *lease
	pacer  *pacer
	// at is the next group of plan.Groups to run.
	at int
	// read counts the documents re-read so far and their bytes: their mean sizes the re-reads
	// of the batches to come (execute_batch.go).
	read struct{ docs, bytes int64 }

	backup       *backupFile
	keepers      *backupFile // before-images of the keepers a merging plan updates (merge.go)
	manifest     Manifest
	manifestPath string
	rep          model.Report
	err          error // what stopped the run, if anything
	// inFlight: a write went unanswered, so it may still land, until its batch's deadline
	// where the guard fences it (fence), at any time where it cannot (unfenced). The lease is
	// then left to expire, after that deadline, rather than released (endLease).
	inFlight, unfenced bool
	// filtered holds the _ids that no longer pass the key's filter (set at each re-read).
	filtered map[model.Value]bool
	// A streamed run (execute_stream.go) gets its plan a chunk at a time: plan.Groups and
	// rep.Groups hold the current chunk, done the totals of the chunks before it (zero in a
	// whole-plan run), and disjoint says the chunk's groups share no document with any other.
	done     streamTotals
	disjoint bool
}

// open creates the backup and its manifest, or continues those of an earlier run of the plan.
func (r *execRun) open(now time.Time) error {
	r.begin(now, r.plan.Digest())
	var err error
	switch {
	case r.opt.backupPath != "":
		r.backup, _, err = openBackup(r.opt.backupPath, false)
		r.manifestPath = manifestPath(filepath.Join(r.opt.BackupDir, filepath.Base(r.opt.backupPath)))
	default:
		var prev string
		var m Manifest
		if r.opt.BackupDir != "" {
			prev, m, err = findRun(r.opt.BackupDir, r.plan.NS, r.rep.PlanDigest)
			if err != nil {
				return fmt.Errorf("backup directory %s: %w", r.opt.BackupDir, err)
			}
		}
		if prev != "" {
			m.RunID = r.c.runID
			bsonPath, err := manifestBackup(prev, m)
			if err != nil {
				return err
			}
			var torn int64
			r.backup, torn, err = openBackup(bsonPath, false)
			if torn > 0 {
				r.rep.Notices = append(r.rep.Notices, fmt.Sprintf("the earlier run's backup ended in a write it did not finish: "+
					"its %d intact records go on in %s; the file as it was, with the %d bytes of that write, is kept as %s",
					r.backup.records, bsonPath, torn, r.backup.aside))
			}
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("an earlier run of this plan wrote %s, but its backup %s is missing: "+
					"move the manifest away to start afresh", prev, bsonPath)
			}
			if err == nil {
				r.manifestPath = prev
				m.Runs++
				m.Status, m.Error, m.FinishedAt = RunRunning, "", time.Time{}
				r.manifest = m
				r.rep.Resumed = true
			}
		} else {
			r.backup, err = createBackup(r.opt.BackupDir, r.plan.NS, now)
			if err == nil {
				r.manifestPath = manifestPath(r.backup.path)
			}
		}
	}
	if err != nil {
		return err
	}
	return r.ready(now)
}

// begin starts the report and the manifest of a run.
func (r *execRun) begin(now time.Time, digest string) {
	r.rep = model.Report{NS: r.plan.NS, StartedAt: now, PlanDigest: digest, RunID: r.c.runID}
	r.manifest = Manifest{
		Version: ManifestVersion, Tool: "dupes", NS: r.plan.NS, URI: r.c.URI(),
		Key: r.plan.Key, Semantics: r.plan.Key.Semantics(), Rule: r.plan.Rule,
		PlanDigest: digest, PlanCreatedAt: r.plan.CreatedAt,
		StartedAt: now, Runs: 1, RunID: r.c.runID,
	}
	if r.plan.Semantics != "" {
		r.manifest.Semantics = r.plan.Semantics
	}
}

// ready completes open once the backup file is open: the keepers backup of a merging plan,
// and the manifest saying the run is running. On failure it closes what it opened.
func (r *execRun) ready(now time.Time) error {
	r.manifest.Backup = filepath.Base(r.backup.path)
	r.rep.BackupPath = r.backup.path
	r.rep.ManifestPath = r.manifestPath
	r.manifest.Status = RunRunning
	err := r.openKeepers()
	if err == nil {
		err = r.saveManifest(now)
	}
	if err != nil {
		r.backup.Close()
		r.closeKeepers()
		if !r.rep.Resumed && r.backup.records == 0 {
			os.Remove(r.backup.path)
		}
		return err
	}
	return nil
}

// run processes every batch, stopping at a cancel (between batches) or an error.
func (r *execRun) run(ctx context.Context) model.Report {
	r.runGroups(ctx)
	return r.finish()
}

// runGroups processes the batches of plan.Groups, stopping at a cancel (between batches, or
// while the pacer holds the next one) or an error (r.err).
func (r *execRun) runGroups(ctx context.Context) {
	groups := r.plan.Groups
	r.rep.Groups = make([]model.GroupResult, len(groups))
	for i := range r.rep.Groups {
		r.rep.Groups[i] = model.GroupResult{Group: r.done.groups + i, Outcome: model.NotReached}
	}
	r.at = 0
	for start := 0; start < len(groups); {
		if ctx.Err() != nil {
			r.rep.Cancelled = true
			break
		}
		end := r.batchEnd(start)
		planned := r.writes(start, end)
		// Pauses and the rate come before the lease's deadline is taken: a batch that waited
		// gets its whole time from the lease as last renewed, or none if it lapsed meanwhile.
		if err := r.pacer.before(ctx, planned); err != nil {
			r.rep.Cancelled = true // only ctx's end stops the pacer
			break
		}
		deadline, err := r.lease.batchDeadline(ExecBatchTimeout)
		if err != nil {
			r.err = err
			break
		}
		// The batch in flight finishes even if ctx is cancelled meanwhile, but never past the
		// lease: its deadline goes with every write, as the driver's maxTimeMS too.
		bctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
		end, err = r.batch(bctx, start, end)
		cancel()
		r.pacer.refund(planned - r.writes(start, end))
		r.tally()
		r.at = end
		r.progress("")
		if err == nil {
			err = r.saveManifest(time.Now())
		}
		if err != nil {
			r.err = err
			break
		}
		start = end
	}
	r.tally()
	if err := r.verifyKeepers(ctx); err != nil && r.err == nil {
		r.err = err
	}
}

// progress reports the run's counts to the caller; paused says why it waits, or "".
func (r *execRun) progress(paused string) {
	if r.opt.Progress == nil {
		return
	}
	r.opt.Progress(model.Progress{
		GroupsDone: r.done.groups + r.at, GroupsTotal: r.done.groups + len(r.plan.Groups),
		DocsDeleted: r.rep.Deleted + r.rep.Earlier, DocsTotal: r.done.deletes + r.plan.Deletes(),
		Elapsed: time.Since(r.rep.StartedAt), Paused: paused, Pauses: r.pacer.pauses, MaxRate: r.opt.Pace.MaxRate,
	})
}

// finish records how the run ended, in the report and the manifest.
func (r *execRun) finish() model.Report {
	r.rep.FinishedAt = time.Now()
	r.tally()
	switch {
	case r.err != nil:
		r.manifest.Status, r.manifest.Error = RunFailed, r.err.Error()
	case r.rep.Cancelled:
		r.manifest.Status = RunCancelled
	default:
		r.manifest.Status = RunDone
	}
	r.manifest.FinishedAt = r.rep.FinishedAt
	if err := r.saveManifest(r.rep.FinishedAt); err != nil && r.err == nil {
		r.err = err
	}
	return r.rep
}

// batchEnd takes whole groups from start until the batch writes BatchDocs documents, or a
// rate slice's worth (throttle.go), or holds BatchSize groups (always at least one group).
// The batch may end sooner once read, when its documents pass the byte cap (readBatch).
func (r *execRun) batchEnd(start int) int {
	limit := r.pacer.batchDocs(r.opt.BatchDocs)
	end, n := start, 0
	for end < len(r.plan.Groups) && (r.opt.BatchSize <= 0 || end-start < r.opt.BatchSize) {
		m := r.writes(end, end+1)
		if end > start && n+m > limit {
			break
		}
		n += m
		end++
	}
	return end
}

// writes counts the documents groups [start, end) would write: their members, and their
// keepers when the plan merges. What --batch-size and --max-rate count.
func (r *execRun) writes(start, end int) int {
	n := 0
	for _, g := range r.plan.Groups[start:end] {
		n += len(g.Delete)
		if r.plan.Merge != nil {
			n++
		}
	}
	return n
}

// tally sums the per-group results into the report and the manifest.
func (r *execRun) tally() {
	rep, d := &r.rep, r.done
	rep.Deleted, rep.Earlier, rep.SkippedDocs, rep.FailedGroups, rep.NotReached = d.deleted, d.earlier, d.skipped, d.failed, d.notReached
	rep.SkippedBy = maps.Clone(d.skippedBy)
	for _, g := range rep.Groups {
		rep.Deleted += g.Deleted
		rep.Earlier += g.Earlier
		rep.CountSkipped(g.Skipped)
		switch g.Outcome {
		case model.Failed:
			rep.FailedGroups++
		case model.NotReached:
			rep.NotReached++
		}
	}
	m := &r.manifest.Counts
	m.Groups, m.PlannedDeletes = d.groups+len(r.plan.Groups), d.deletes+r.plan.Deletes()
	m.BackedUp = r.backup.records
	m.Deleted = rep.Deleted + rep.Earlier
	m.Skipped, m.Failed, m.NotReached = rep.SkippedDocs, rep.FailedGroups, rep.NotReached
	if r.pacer != nil {
		rep.Pauses = r.pacer.pauses
	}
	r.setUndo()
}

func (r *execRun) saveManifest(now time.Time) error {
	r.manifest.UpdatedAt = now
	return writeManifest(r.manifestPath, r.manifest)
}
