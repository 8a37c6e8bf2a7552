package cli

import (
	bin "encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo"
)

// TestTUISIGTERMDuringARunLeavesItResumable: SIGTERM sent to the TUI while it deletes does what
// ctrl+c does there: the batch in flight finishes, the program ends, and the manifest says
// cancelled (or done, had the run finished first), never running; every deleted document is in
// the backup. Bubble Tea's own handler would quit at once, mid-batch, so dupes handles it.
func TestTUISIGTERMDuringARunLeavesItResumable(t *testing.T) {
	f := newFixture(t)
	const groups = 5 * mongo.DefaultExecBatch // several batches: the signal lands in an early one
	docs := make([]map[string]any, 0, 2*groups)
	for i := 0; i < 2*groups; i++ {
		docs = append(docs, map[string]any{"_id": i, "k": i / 2})
	}
	f.insert("big", docs...)
	backup := t.TempDir()
	s := startTmux(t, fmt.Sprintf("exec env -u MONGODB_URI %s '%s' --ns %s --key k --backup '%s'", binary, f.uri, f.ns("big"), backup))
	s.waitFor("enter open group")
	s.send("r")
	s.waitFor("most fields")
	s.send("Enter")
	s.waitFor("Rule first applied")
	s.send("D")
	s.waitFor("Press enter to confirm")
	s.send("Enter")
	s.waitFor("type " + f.ns("big"))
	pid := s.panePID()
	s.send("-l", f.ns("big"))
	s.send("Enter")
	// The first batch is being deleted once its documents are in the backup.
	if !backupStarted(backup) {
		t.Fatalf("the run never wrote its backup:\n%s", s.screen())
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	gone := false
	for try := 0; try < 6000 && !gone; try++ {
		gone = errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
		time.Sleep(10 * time.Millisecond)
	}
	if !gone {
		t.Fatalf("dupes (pid %d) still runs after SIGTERM:\n%s", pid, s.screen())
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
	t.Logf("manifest after SIGTERM: status %s, counts %+v", m.Status, m.Counts)
	if m.Status != mongo.RunCancelled && m.Status != mongo.RunDone {
		t.Fatalf("manifest status %q, want %q (or %q)", m.Status, mongo.RunCancelled, mongo.RunDone)
	}
	deleted := 2*groups - int(f.count("big"))
	inBackup := bsonRecords(t, filepath.Join(backup, m.Backup))
	if deleted == 0 || deleted != inBackup || deleted != m.Counts.Deleted {
		t.Fatalf("%d documents deleted, %d in the backup, manifest says %d deleted: want them equal and above 0",
			deleted, inBackup, m.Counts.Deleted)
	}
}

// backupStarted waits, a bounded number of times, for a run's backup to hold a document: the
// first batch is then being deleted.
func backupStarted(backup string) bool {
	for try := 0; try < 20000; try++ {
		files, _ := filepath.Glob(filepath.Join(backup, "*.bson"))
		for _, p := range files {
			if st, err := os.Stat(p); err == nil && st.Size() > 0 {
				return true
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// bsonRecords counts the documents of a .bson backup: each starts with its int32 length.
func bsonRecords(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for len(b) >= 4 {
		size := int(bin.LittleEndian.Uint32(b))
		if size < 5 || size > len(b) {
			t.Fatalf("%s: a record of %d bytes with %d left", path, size, len(b))
		}
		b, n = b[size:], n+1
	}
	if len(b) != 0 {
		t.Fatalf("%s: %d bytes after the last record", path, len(b))
	}
	return n
}
