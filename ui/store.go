package ui

import (
	"context"

	"github.com/dupes-tui/dupes/model"
)

// Store is what the screens need from a deployment. The real adapter (package mongo, through a
// shim in main) and the in-memory store of --demo and the tests both satisfy it.
type Store interface {
	Databases(ctx context.Context) ([]model.Database, error)
	Collections(ctx context.Context, db string) ([]model.Collection, error)
	Indexes(ctx context.Context, ns model.Namespace) ([]model.Index, error)
	SampleFields(ctx context.Context, ns model.Namespace, n int) ([]model.FieldInfo, error)
	// Scan starts the duplicate scan; the cursor yields groups in batches.
	Scan(ctx context.Context, ns model.Namespace, key model.Key) (GroupCursor, error)
	// ScanCommand is the scan as one mongosh statement, pipeline and options (collation
	// included): what the scan screen shows and copies, ready to paste.
	ScanCommand(ns model.Namespace, key model.Key) (string, error)
	FetchDocs(ctx context.Context, ns model.Namespace, ids []model.Value) ([]model.Doc, error)
	// Keepers returns, per group, the index in its IDs of the document the rule keeps.
	Keepers(ctx context.Context, ns model.Namespace, rule model.KeepRule, groups []model.Group) ([]int, error)
	// MergePreview is what merging the members into the keeper would make of it now: the
	// merged keeper and the fields it gains, members taken in the rule's order (model.Merged).
	MergePreview(ctx context.Context, ns model.Namespace, rule model.KeepRule, opt model.MergeOptions,
		keep model.Value, members []model.Value) (model.Merged, error)
	// Execute runs a plan: backup, guarded deletes, report. progress is called after each batch,
	// and while the run is paused (Progress.Paused says why). pace sets the batches, the rate
	// and what pauses the run between batches (its Hold is the execute screen's p). Cancelling
	// ctx finishes the batch in flight, or ends a pause, and stops.
	Execute(ctx context.Context, plan model.Plan, backupDir string, pace model.Pace, progress func(model.Progress)) (model.Report, error)
	// CreateUniqueIndex builds the unique index the key describes and returns its name; it
	// fails, saying so, when duplicates remain.
	CreateUniqueIndex(ctx context.Context, ns model.Namespace, key model.Key) (string, error)
}

// GroupCursor streams a scan's groups. It is an alias of an unnamed interface so that stores
// in other packages (memstore) satisfy Store without importing ui.
type GroupCursor = interface {
	// NextBatch returns up to max groups, or io.EOF after the last one.
	NextBatch(ctx context.Context, max int) ([]model.Group, error)
	// Close releases the cursor (on a server, kills it).
	Close(ctx context.Context) error
}

// Connector opens a store on a URI. Its errors must not contain the password.
type Connector func(ctx context.Context, uri string) (Store, error)

// Config is what the command line decided.
type Config struct {
	URI    string // as given; may hold a password, never shown
	Redact func(string) string
	// WithPassword puts a password into a URI (its user stays); nil where there is no server
	// to log in to (--demo). After a failed login the connect screen asks for the password
	// again, without echo, instead of showing the URI to edit.
	WithPassword func(uri, password string) string
	Connect      Connector
	NS           string // --ns DB.COLL, optional
	// Key, with NS, is the key to scan at once: its fields, the index it names (whose key and
	// options it takes) or the whole document. Its loose modes, filter and collation are the
	// key screen's options to start with, whatever key is picked there. The command line
	// fills it with the same flags as dupes scan.
	Key       model.Key
	BackupDir string
	// Pace is a run's batch size, rate and pauses (--batch-size, --max-rate, --max-lag,
	// --pause-file); the execute screen adds its p toggle as the Hold, before Pace.Hold's own.
	Pace     model.Pace
	ReadOnly bool
	// AllowMissingField scans a --key field that no sampled document has (refused otherwise,
	// with a did-you-mean: a misspelled key makes the whole collection one group).
	AllowMissingField bool
	Demo              bool
	// Plan, from --plan, opens on a saved plan: its namespace is scanned by its key and its
	// decisions are taken again on the groups found.
	Plan *model.Plan
	// Interrupted describes a run of Plan that did not finish (its manifest in the backup
	// directory), "" when none: the TUI offers to resume it.
	Interrupted string
	// Applied describes a run of Plan that ran to its end, "" when none: the review then says
	// the plan was applied before, not that nothing has been deleted.
	Applied string
	// Copy puts text on the user's clipboard (OSC 52 in a terminal); nil disables copying.
	Copy func(string) error
	// PriorRun finds in the backup directory the latest run of a plan (mongo.PriorRun): how
	// it went ("" when none) and whether it ran to its end. With it the review says what an
	// earlier run of the plan it confirms did, and a scan offers to finish an interrupted run
	// of its collection and key; nil (--demo) looks for none.
	PriorRun func(dir string, plan model.Plan) (desc string, finished bool, err error)
}
