package cli

import (
	"path/filepath"
	"testing"

	"github.com/dupes-tui/dupes/mongo"
)

// TestSIGTERMStopsResolveRestorably: a streamed resolve stopped mid-run finishes its batch in
// flight, says so, and leaves one backup whose manifest says cancelled; restoring it puts back
// every document deleted, and running resolve again (a streamed run resumes by starting over)
// finishes the cleanup.
func TestSIGTERMStopsResolveRestorably(t *testing.T) {
	f := newFixture(t)
	groups := pairs(t, f)
	backup := filepath.Join(t.TempDir(), "backups")
	args := []string{"resolve", "--uri", f.uri, "--ns", f.ns("big"), "--key", "k", "--keep", "first", "--backup", backup, "--yes"}
	stdout, stderr := terminateMidRun(t, backup, args...)
	mustContain(t, "stderr", stderr, "interrupted: the batch in flight finished", "run resolve again")
	mustContain(t, "stdout", stdout, "to undo: dupes restore")
	left := f.count("big")
	if left <= groups || left >= 2*groups {
		t.Fatalf("%d documents left after the signal: want some deleted (%d at most) and some not", left, groups)
	}
	ms := manifests(t, backup)
	if len(ms) != 1 || ms[0].Status != mongo.RunCancelled || !ms[0].Streamed ||
		ms[0].Counts.Deleted != int(2*groups-left) || ms[0].Counts.BackedUp < ms[0].Counts.Deleted {
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
