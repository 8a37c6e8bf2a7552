package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// TestSIGTERMStopsApplyResumably: SIGTERM (what kill, systemd and container runtimes send)
// stops a run as ctrl+c does: the batch in flight finishes, the manifest says cancelled, the
// exit status is 1, and running the plan again resumes into the same backup and finishes.
func TestSIGTERMStopsApplyResumably(t *testing.T) {
	f := newFixture(t)
	groups := pairs(t, f)
	dir := t.TempDir()
	planFile, backup := filepath.Join(dir, "plan.json"), filepath.Join(dir, "backups")
	if _, errOut, status := dupes(t, "plan", "--uri", f.uri, "--ns", f.ns("big"), "--key", "k", "--keep", "first", "--out", planFile); status != 0 {
		t.Fatalf("plan: %s", errOut)
	}

	_, stderr := terminateMidRun(t, backup, "apply", "--uri", f.uri, "--plan", planFile, "--backup", backup, "--yes")
	mustContain(t, "stderr", stderr, "interrupted: the batch in flight finished")
	left := f.count("big")
	if left <= groups || left >= 2*groups {
		t.Fatalf("%d documents left after the signal: want some deleted (%d at most) and some not", left, groups)
	}
	manifests, _ := filepath.Glob(filepath.Join(backup, "*.json"))
	if len(manifests) != 1 {
		t.Fatalf("manifests: %v", manifests)
	}
	var m mongo.Manifest
	b, err := os.ReadFile(manifests[0])
	if err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("manifest %s: %v\n%s", manifests[0], err, b)
	}
	if m.Status != mongo.RunCancelled {
		t.Fatalf("manifest status %q, want %q", m.Status, mongo.RunCancelled)
	}

	out, errOut, status := dupes(t, "apply", "--uri", f.uri, "--plan", planFile, "--backup", backup, "--yes")
	if status != 0 {
		t.Fatalf("the second apply: status %d\n%s%s", status, out, errOut)
	}
	mustContain(t, "second apply", out, "resuming the interrupted run of this plan (same backup)", "by the earlier run")
	if n := f.count("big"); n != groups {
		t.Fatalf("%d documents left after the resumed run, want %d", n, groups)
	}
	if files, _ := filepath.Glob(filepath.Join(backup, "*")); len(files) != 2 || !strings.HasSuffix(files[0], ".bson") {
		t.Fatalf("backup dir after the resumed run: %v, want its one backup and manifest", files)
	}
}

// pairs fills f's "big" collection with five executor batches of two-document groups on k, so
// a signal lands in an early batch, and returns the number of groups.
func pairs(t *testing.T, f fixture) int64 {
	t.Helper()
	const groups = 5 * mongo.DefaultExecBatch
	docs := make([]any, 0, 2*groups)
	for i := 0; i < 2*groups; i++ {
		docs = append(docs, map[string]any{"_id": i, "k": i / 2})
	}
	mongotest.InsertMany(t, mongotest.Client(t).Database(f.db).Collection("big"), docs)
	return groups
}

// terminateMidRun runs the binary with args, sends it SIGTERM once its backup holds a document
// (its first batch is then being deleted), and requires exit status 1: a signal's default would
// kill it with no status.
func terminateMidRun(t *testing.T, backup string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !backupStarted(backup) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the run never wrote its backup:\n%s%s", out.String(), errOut.String())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	t.Logf("after SIGTERM:\n%s%s", out.String(), errOut.String())
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1", err)
	}
	return out.String(), errOut.String()
}
