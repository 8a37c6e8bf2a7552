package mongo

import (
	"fmt"
	"path/filepath"

	"github.com/dupes-tui/dupes/model"
)

// PriorRun finds in dir the latest run of plan and describes it for the TUI: "" when there is
// none; finished says it ran to its end. One that did not finish (running: the process died,
// or cancelled, failed) is offered for resuming: running the same plan again continues it
// (Execute finds it by digest).
func PriorRun(dir string, plan model.Plan) (desc string, finished bool, err error) {
	path, m, err := findRun(dir, plan.NS, plan.Digest())
	if err != nil || path == "" {
		return "", false, err
	}
	desc, err = describeRun(path, m)
	return desc, m.Status == RunDone, err
}

// describeRun says how a run went: "cancelled, shop.users.….json 2026-12-06 22:14Z: 40 of 120
// documents deleted, backup …".
func describeRun(path string, m Manifest) (string, error) {
	backup, err := manifestBackup(path, m)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, %s %s: %d of %d documents deleted, backup %s", m.Status, filepath.Base(path),
		m.StartedAt.UTC().Format("2006-01-02 15:04Z"), m.Counts.Deleted, m.Counts.PlannedDeletes, backup), nil
}
