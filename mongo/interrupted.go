package mongo

import (
	"fmt"
	"path/filepath"

	"github.com/dupes-tui/dupes/model"
)

// InterruptedRun finds in dir a run of plan that did not finish (status running: the process
// died, or cancelled/failed), and describes it for the TUI's offer to resume; "" when there
// is none. Running the same plan again continues that run (Execute finds it by digest).
func InterruptedRun(dir string, plan model.Plan) (string, error) {
	path, m, err := findRun(dir, plan.NS, plan.Digest())
	if err != nil || path == "" || m.Status == RunDone {
		return "", err
	}
	backup, err := manifestBackup(path, m)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s, %s %s: %d of %d documents deleted, backup %s", m.Status, filepath.Base(path),
		m.StartedAt.UTC().Format("2006-01-02 15:04Z"), m.Counts.Deleted, m.Counts.PlannedDeletes, backup), nil
}
