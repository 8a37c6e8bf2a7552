package mongo

import (
	"context"
	"errors"

	"github.com/dupes-tui/dupes/model"
)

// DefaultExecBatch is how many groups one batch of a plan run covers.
const DefaultExecBatch = 500

// ExecOptions tune a plan run.
type ExecOptions struct {
	// BackupDir receives DB.COLL.TIMESTAMP.bson and its .json manifest.
	BackupDir string
	// BatchSize is groups per batch; DefaultExecBatch when 0.
	BatchSize int
	// Progress, if set, is called after every batch (from the calling goroutine).
	Progress func(model.Progress)
}

// Execute runs a plan: per batch of groups it re-reads keepers and members, skips what changed
// since the scan, appends exactly the documents it is about to delete to the backup (flushed
// and synced), then deletes them with a guard on _id and the key values. Cancelling ctx
// finishes the batch in flight and stops. The report accounts for every group.
func (c *Client) Execute(ctx context.Context, plan model.Plan, opt ExecOptions) (model.Report, error) {
	if c.readOnly {
		return model.Report{}, ErrReadOnly
	}
	return model.Report{}, errors.New("execute: not implemented yet")
}
