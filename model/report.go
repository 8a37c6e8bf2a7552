package model

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Outcome is what happened to one group of a plan when it ran.
type Outcome string

// Outcomes.
const (
	Deleted    Outcome = "deleted"     // every planned delete of the group happened
	Partial    Outcome = "partial"     // some members deleted, others skipped
	Skipped    Outcome = "skipped"     // nothing deleted, with a reason
	Failed     Outcome = "failed"      // the server returned an error
	NotReached Outcome = "not-reached" // the run stopped before this group
)

// GroupResult is the outcome of one plan group.
type GroupResult struct {
	Group   int     `json:"group"` // index in Plan.Groups
	Outcome Outcome `json:"outcome"`
	Deleted int     `json:"deleted"`
	// Earlier counts planned deletes already done by an earlier, interrupted run of the same
	// plan: the documents are gone and their copies are in that run's backup.
	Earlier int `json:"earlier,omitempty"`
	// Skipped lists members not deleted and why (gone, key changed, keeper changed…).
	Skipped []SkippedDoc `json:"skipped,omitempty"`
	Error   string       `json:"error,omitempty"`
	// Merged lists the fields a merging plan gave the group's keeper (see merge.go).
	Merged []string `json:"merged,omitempty"`
}

// SkippedDoc is one planned delete that did not happen, with the reason.
type SkippedDoc struct {
	ID     Value  `json:"id"`
	Reason string `json:"reason"`
}

// Progress is what a running plan reports after each batch, and while it is paused.
type Progress struct {
	GroupsDone  int
	GroupsTotal int
	// DocsDeleted counts the documents deleted so far (in a restore's progress: put back).
	DocsDeleted int
	DocsTotal   int
	// Elapsed is the time since the run started, pauses included.
	Elapsed time.Duration
	// Paused says why the run is paused now ("secondary db2:27017 is 14s behind"), "" while
	// it runs.
	Paused string
	// Pauses are the run's pauses so far, the one in progress included.
	Pauses Pauses
	// MaxRate is the run's limit in documents written per second, 0 when it has none.
	MaxRate float64
}

// Rate is documents deleted per second so far.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.DocsDeleted) / p.Elapsed.Seconds()
}

// Report is the account of a finished (or stopped) run.
type Report struct {
	NS          Namespace `json:"ns"`
	StartedAt   time.Time `json:"startedAt"`
	FinishedAt  time.Time `json:"finishedAt"`
	Cancelled   bool      `json:"cancelled"`
	Deleted     int       `json:"deleted"`
	Earlier     int       `json:"earlier,omitempty"` // deleted by an earlier run of the plan
	BackedUp    int       `json:"backedUp"`          // records this run appended to the backup
	SkippedDocs int       `json:"skipped"`
	// SkippedBy counts the skipped documents by reason, under the reason's name (ReasonName:
	// "changed since the plan", "gone", "keeper gone"...), so a summary names each reason.
	SkippedBy    map[string]int `json:"skippedBy,omitempty"`
	FailedGroups int            `json:"failedGroups"`
	NotReached   int            `json:"notReached"`
	BackupPath   string         `json:"backup,omitempty"`
	ManifestPath string         `json:"manifest,omitempty"`
	// Undo is the command that restores the backup (UndoCommand), set only when the backup
	// holds a document: a run that backed up nothing has nothing to undo.
	Undo string `json:"undo,omitempty"`
	// Resumed says the run continued the backup of an earlier run of the same plan.
	Resumed bool `json:"resumed,omitempty"`
	// MergedKeepers counts the keeper updates of a merging plan.
	MergedKeepers int           `json:"mergedKeepers,omitempty"`
	PlanDigest    string        `json:"planDigest"`
	Groups        []GroupResult `json:"groups"`
	// Streamed says the run planned and ran the scan's groups a chunk at a time (dupes
	// resolve), in bounded memory: it has no plan digest, Groups stays empty, and Sample holds
	// the first SampleGroups groups that skipped or failed something. The counters above are
	// the totals.
	Streamed bool           `json:"streamed,omitempty"`
	Sample   []SampledGroup `json:"sample,omitempty"`
	// KeepersLost lists the keepers found missing after the run, of groups it deleted from:
	// deleted by someone else meanwhile, so those groups have no document left.
	KeepersLost []Value `json:"keepersLost,omitempty"`
	// Notices are what the run did that the DBA must hear of besides the counts: a torn
	// backup set aside, a crashed run's lease taken over.
	Notices []string `json:"notices,omitempty"`
	// RunID names the run on the server: every command it sent carried it in its comment.
	RunID string `json:"runId,omitempty"`
	// Pauses are the run's pauses between batches (--pause-file, SIGUSR1, --max-lag).
	Pauses Pauses `json:"pauses,omitzero"`
}

// CountSkipped adds skipped documents to SkippedDocs and to SkippedBy under their reasons'
// names: the one tally of skips, for every executor.
func (r *Report) CountSkipped(skipped []SkippedDoc) {
	r.SkippedDocs += len(skipped)
	for _, s := range skipped {
		if r.SkippedBy == nil {
			r.SkippedBy = map[string]int{}
		}
		r.SkippedBy[ReasonName(s.Reason)]++
	}
}

// ReasonName is a skip reason's name: its words before the colon.
func ReasonName(reason string) string {
	name, _, _ := strings.Cut(reason, ":")
	return name
}

// SkippedSummary says how many documents were skipped for each reason, most first:
// "3 changed since the plan, 1 gone".
func (r Report) SkippedSummary() string {
	names := make([]string, 0, len(r.SkippedBy))
	for n := range r.SkippedBy {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := r.SkippedBy[names[i]], r.SkippedBy[names[j]]
		return a > b || a == b && names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%d %s", r.SkippedBy[n], n)
	}
	return strings.Join(parts, ", ")
}

// A streamed run's report keeps at most SampleGroups skipped or failed groups, each with at
// most SampleSkipped of its skipped documents: a sample to show, not an account.
const (
	SampleGroups  = 100
	SampleSkipped = 10
)

// SampledGroup is a skipped or failed group of a streamed run, with its key and keeper, as
// there is no plan to look them up in. Its Group counts the run's groups from 0.
type SampledGroup struct {
	Key  []Value `json:"key"`
	Keep Value   `json:"keep"`
	GroupResult
}

// RestoreReport is the account of a restore from backups (or of what a dry run would do).
type RestoreReport struct {
	DryRun   bool          `json:"dryRun"`
	Files    []RestoreFile `json:"files"`
	Records  int           `json:"records"`
	Inserted int           `json:"inserted"` // or, in a dry run, would be inserted
	Existing int           `json:"existing"`
	Failed   int           `json:"failed"`
	// Pauses are the restore's pauses between batches, as a run's (Report.Pauses).
	Pauses Pauses `json:"pauses,omitzero"`
	// Cancelled says a signal stopped the restore between batches: run it again to go on.
	Cancelled bool `json:"cancelled,omitempty"`
}

// RestoreFile is what a restore did with one backup file.
type RestoreFile struct {
	Path string    `json:"path"`
	NS   Namespace `json:"ns"`
	// Records counts the records read; Superseded the older copies of documents backed up
	// more than once (a resumed run re-backs-up a document that changed): the last copy wins.
	Records    int `json:"records"`
	Superseded int `json:"superseded,omitempty"`
	// TornBytes is a partial last record, written when a run died mid-write (that batch was
	// never deleted) and ignored.
	TornBytes int64 `json:"tornBytes,omitempty"`
	Inserted  int   `json:"inserted"`
	// Existing lists backed-up documents whose _id is in the collection: never overwritten.
	Existing []Value         `json:"existing,omitempty"`
	Failed   []RestoreFailed `json:"failed,omitempty"`
	// Unchecked lists the unique indexes whose refusals a dry run could not predict, with why.
	Unchecked []string `json:"unchecked,omitempty"`
	// Keepers is what became of the keepers a merging run updated, when it did (merge.go).
	Keepers *KeeperRestore `json:"keepers,omitempty"`
	// Nothing says why the backup has nothing to restore: its run deleted nothing.
	Nothing string `json:"nothing,omitempty"`
}

// RestoreFailed is a document the server refused, e.g. because a unique index built after the
// cleanup now rejects it; in a dry run, a document it would refuse.
type RestoreFailed struct {
	ID    Value  `json:"id"`
	Error string `json:"error"`
	// Index is the unique index that refuses the document, when known.
	Index string `json:"index,omitempty"`
	// Holder is the _id of the document in the collection that holds the same index key (a dry
	// run's prediction), when known.
	Holder Value `json:"holder,omitempty"`
}
