package cli

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// TestSIGTERMStopsResolveRestorably: a streamed resolve stopped mid-run finishes its batch in
// flight, says so, and leaves one backup whose manifest says cancelled; restoring it puts back
// every document deleted, and running resolve again (a streamed run resumes by starting over)
// finishes the cleanup.
func TestSIGTERMStopsResolveRestorably(t *testing.T) {
	f := newFixture(t)
	const groups = 5 * mongo.DefaultExecBatch // five batches: the signal lands in an early one
	docs := make([]any, 0, 2*groups)
	for i := 0; i < 2*groups; i++ {
		docs = append(docs, map[string]any{"_id": i, "k": i / 2})
	}
	mongotest.InsertMany(t, mongotest.Client(t).Database(f.db).Collection("big"), docs)
	backup := filepath.Join(t.TempDir(), "backups")
	args := []string{"resolve", "--uri", f.uri, "--ns", f.ns("big"), "--key", "k", "--keep", "first", "--backup", backup, "--yes"}

	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !backupStarted(backup) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the run never wrote its backup:\n%s%s", stdout.String(), stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	t.Logf("after SIGTERM:\n%s%s", stdout.String(), stderr.String())
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	mustContain(t, "stderr", stderr.String(), "interrupted: the batch in flight finished", "run resolve again")
	mustContain(t, "stdout", stdout.String(), "to undo: dupes restore")
	left := f.count("big")
	if left <= groups || left >= 2*groups {
		t.Fatalf("%d documents left after the signal: want some deleted (%d at most) and some not", left, groups)
	}
	ms := manifests(t, backup)
	if len(ms) != 1 || ms[0].Status != mongo.RunCancelled || !ms[0].Streamed ||
		ms[0].Counts.Deleted != 2*groups-int(left) || ms[0].Counts.BackedUp < ms[0].Counts.Deleted {
		t.Fatalf("manifests %+v: want one, cancelled, streamed, counting the %d deleted", ms, 2*groups-left)
	}

	if out, errOut, st := dupes(t, "restore", "--uri", f.uri, "--backup", backup, "--yes"); st != 0 {
		t.Fatalf("restore: status %d\n%s%s", st, out, errOut)
	}
	if n := f.count("big"); n != 2*groups {
		t.Fatalf("%d documents after the restore, want all %d back", n, 2*groups)
	}
	if out, errOut, st := dupes(t, args...); st != 0 {
		t.Fatalf("resolve again: status %d\n%s%s", st, out, errOut)
	}
	if n := f.count("big"); n != groups {
		t.Fatalf("%d documents after resolving again, want %d", n, groups)
	}
}
