package cli

import (
	"context"
	binenc "encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestRestoreRefusesABackupCutShort: the backup of a run that ended holds every record its
// manifest counts. Cut anywhere (inside a record, or at a record boundary), it lost documents
// that were deleted, so restore refuses it, saying so, and inserts nothing; --allow-short
// then restores the records it still holds.
func TestRestoreRefusesABackupCutShort(t *testing.T) {
	db, uri, rep := deletedIntoBackup(t, 4)
	ctx := context.Background()
	users := db.Collection("users")
	whole, err := os.ReadFile(rep.BackupPath)
	if err != nil {
		t.Fatal(err)
	}
	first := int(binenc.LittleEndian.Uint32(whole))
	for _, cut := range []struct {
		name string
		size int
	}{{"inside a record", first + 5}, {"at a record boundary", first}} {
		t.Run(cut.name, func(t *testing.T) {
			if err := os.WriteFile(rep.BackupPath, whole[:cut.size], 0o600); err != nil {
				t.Fatal(err)
			}
			_, errOut, status := dupes(t, "restore", "--uri", uri, "--backup", rep.BackupPath, "--yes")
			if status != 1 || !strings.Contains(errOut, "holds 1 records, and its manifest says 3 were backed up") ||
				!strings.Contains(errOut, "--allow-short") {
				t.Fatalf("a backup cut short: status %d, %s", status, errOut)
			}
			if n, _ := users.CountDocuments(ctx, bson.D{}); n != 1 {
				t.Fatalf("a refused restore inserted documents: %d in the collection", n)
			}
		})
	}
	out, errOut, status := dupes(t, "restore", "--uri", uri, "--backup", rep.BackupPath, "--yes", "--allow-short")
	if n, _ := users.CountDocuments(ctx, bson.D{}); status != 0 || n != 2 {
		t.Fatalf("--allow-short: status %d, %d documents (want 2)\n%s%s", status, n, out, errOut)
	}
}

// TestNonRegularFilesAreRefused: a plan or a backup that is a FIFO or a device would block
// the read or never end it; both are refused at once, saying what they are.
func TestNonRegularFilesAreRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "plan.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"apply", "--uri", "mongodb://127.0.0.1:1/", "--plan", "/dev/urandom"},
		{"apply", "--uri", "mongodb://127.0.0.1:1/", "--plan", fifo},
		{"restore", "--uri", "mongodb://127.0.0.1:1/", "--backup", fifo},
		{"--plan", fifo},
	} {
		_, errOut, status := dupes(t, args...)
		if status != 1 || !strings.Contains(errOut, "not a regular file") {
			t.Errorf("%q: status %d, %s", args, status, errOut)
		}
	}
}

// TestRestoreErrorIsNotFollowedByADryRunsAdvice: a restore refused outright (here a backup
// cut short) prints its error, not the dry run's "Run again with --yes", which would invite
// the user to repeat what was just refused.
func TestRestoreErrorIsNotFollowedByADryRunsAdvice(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.bson")
	if err := os.WriteFile(path, []byte{1, 2, 3}, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, status := dupes(t, "restore", "--uri", mongotest.URI(t), "--ns", "a.b", "--backup", path)
	if status != 1 || strings.Contains(out+errOut, "Run again with --yes") {
		t.Fatalf("status %d\n%s%s", status, out, errOut)
	}
}
