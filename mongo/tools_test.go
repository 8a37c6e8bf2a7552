package mongo_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// runTool runs one of MongoDB's tools and returns its combined output, failing the test on a
// non-zero exit.
func runTool(t *testing.T, tool string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(tool), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// lastCopies is what a backup restores to: the last copy of each document, by _id.
func lastCopies(docs []bson.Raw) map[string]bson.Raw {
	out := map[string]bson.Raw{}
	for _, d := range docs {
		out[canonID(d)] = d
	}
	return out
}

// sameDocs compares two collections' worth of documents byte for byte.
func sameDocs(t *testing.T, what string, got, want map[string]bson.Raw) {
	t.Helper()
	if !equal(keys(got), keys(want)) {
		t.Fatalf("%s: _ids %v, want %v", what, keys(got), keys(want))
	}
	for id, d := range want {
		if !bytes.Equal(got[id], d) {
			t.Errorf("%s: document %s differs:\ngot  %s\nwant %s", what, id, got[id], d)
		}
	}
}

// dupesBackup is a backup made by Execute, with the collection as it was before the cleanup.
type dupesBackup struct {
	path   string
	ns     model.Namespace
	before map[string]bson.Raw
}

// plainBackup cleans a collection of documents of most BSON types.
func plainBackup(t *testing.T, c *mongo.Client, db string) dupesBackup {
	variedDocs(t, db, "users")
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	rep, err := c.Execute(context.Background(), planFor(t, c, ns, model.Key{Fields: []string{"email"}}), mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 3 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	return dupesBackup{rep.BackupPath, ns, before}
}

// resumedBackup is written by two runs of one plan: the first cancelled after one batch, the
// second appending to the same file.
func resumedBackup(t *testing.T, c *mongo.Client, db string) dupesBackup {
	users(t, db, 4, 3)
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	first, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir, BatchSize: 1, Progress: func(model.Progress) { cancel() }})
	if err != nil || !first.Cancelled || first.Deleted != 2 {
		t.Fatalf("first run: %v %+v", err, first)
	}
	second, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir, BatchSize: 1})
	if err != nil || !second.Resumed || second.BackupPath != first.BackupPath || second.Deleted != 6 {
		t.Fatalf("second run did not continue the first's backup: %v %+v", err, second)
	}
	return dupesBackup{second.BackupPath, ns, before}
}

// gzipped writes a gzip copy of a backup (and its manifest) as FILE.bson.gz, as gzip(1) would.
func gzipped(t *testing.T, b dupesBackup) string {
	t.Helper()
	data, err := os.ReadFile(b.path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	dir := t.TempDir()
	gz := filepath.Join(dir, filepath.Base(b.path)+".gz")
	if err := os.WriteFile(gz, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	manifest := strings.TrimSuffix(b.path, ".bson") + ".json"
	if m, err := os.ReadFile(manifest); err == nil {
		os.WriteFile(filepath.Join(dir, filepath.Base(manifest)), m, 0o600)
	}
	return gz
}

// TestMongoToolsReadDupesBackups proves that what dupes writes is what MongoDB's own tools
// read: bsondump checks every record, and the README's mongorestore command
// (mongorestore --uri U --db D --collection C FILE.bson) restores every document, byte for
// byte, into the namespace it names: a fresh collection first, then the cleaned one, which
// must be back to what it was before the cleanup.
func TestMongoToolsReadDupesBackups(t *testing.T) {
	bsondump := mongotest.Tool(t, "bsondump")
	mongorestore := mongotest.Tool(t, "mongorestore")
	uri := mongotest.URI(t)
	for _, tc := range []struct {
		name string
		make func(*testing.T, *mongo.Client, string) dupesBackup
	}{
		{"plain", plainBackup},
		{"resumed (appended by a second run)", resumedBackup},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, db := connect(t)
			b := tc.make(t, c, db)
			docs := backupDocs(t, b.path)
			out := runTool(t, bsondump, "--objcheck", "--outFile", os.DevNull, b.path)
			if want := strconv.Itoa(len(docs)) + " objects found"; !strings.Contains(out, want) {
				t.Fatalf("bsondump does not say %q:\n%s", want, out)
			}
			// The README's command, into a fresh collection: the backup, document for document.
			out = runTool(t, mongorestore, "--uri", uri, "--db", db, "--collection", "fresh", b.path)
			t.Logf("mongorestore: %s", out)
			sameDocs(t, "restored into a fresh collection", rawDocs(t, db, "fresh"), lastCopies(docs))
			// The undo: into the collection cleaned, which is whole again.
			runTool(t, mongorestore, "--uri", uri, "--db", db, "--collection", b.ns.Coll, b.path)
			sameDocs(t, "the cleaned collection after mongorestore", rawDocs(t, db, b.ns.Coll), b.before)
		})
	}
}

// TestGzipBackupRestores restores a gzipped backup with dupes restore (gzip is told by its
// magic bytes) and with mongorestore --gzip.
func TestGzipBackupRestores(t *testing.T) {
	mongorestore := mongotest.Tool(t, "mongorestore")
	c, db := connect(t)
	b := plainBackup(t, c, db)
	gz := gzipped(t, b)
	want := lastCopies(backupDocs(t, b.path))

	other := model.Namespace{DB: db, Coll: "from_gzip"}
	res, err := c.Restore(context.Background(), gz, mongo.RestoreOptions{NS: other})
	if err != nil || res.Inserted != len(want) || res.Records != len(want) {
		t.Fatalf("dupes restore of %s: %v %+v", gz, err, res)
	}
	sameDocs(t, "dupes restore of the gzip backup", rawDocs(t, db, "from_gzip"), want)

	// Its manifest beside it, renamed .json: the namespace comes from there.
	dry, err := c.Restore(context.Background(), gz, mongo.RestoreOptions{DryRun: true})
	if err != nil || dry.Files[0].NS != b.ns || dry.Inserted != len(want) {
		t.Fatalf("gzip backup with its manifest: %v %+v", err, dry)
	}
	runTool(t, mongorestore, "--gzip", "--uri", mongotest.URI(t), "--db", db, "--collection", b.ns.Coll, gz)
	sameDocs(t, "mongorestore --gzip", rawDocs(t, db, b.ns.Coll), b.before)
}

// TestRestoreReadsMongodump restores what mongodump writes, plain and --gzip: the file the
// issue saw taken for "0 records, torn last record" now restores every document.
func TestRestoreReadsMongodump(t *testing.T) {
	mongodump := mongotest.Tool(t, "mongodump")
	c, db := connect(t)
	variedDocs(t, db, "users")
	want := rawDocs(t, db, "users")
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		args := []string{"--uri", mongotest.URI(t), "--db", db, "--collection", "users", "--out", dir}
		file := filepath.Join(dir, db, "users.bson")
		if gz {
			args = append(args, "--gzip")
			file += ".gz"
		}
		runTool(t, mongodump, args...)
		if _, err := c.Restore(context.Background(), file, mongo.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "--ns") {
			t.Errorf("a mongodump file has no dupes manifest: want a request for --ns, got %v", err)
		}
		into := "dump_" + strconv.FormatBool(gz)
		// The folder mongodump wrote holds one collection (and its metadata): --ns may name it.
		res, err := c.Restore(context.Background(), filepath.Dir(file), mongo.RestoreOptions{NS: model.Namespace{DB: db, Coll: into}})
		if err != nil || res.Inserted != len(want) {
			t.Fatalf("restore of mongodump's %s: %v %+v", file, err, res)
		}
		sameDocs(t, "restore of "+filepath.Base(file), rawDocs(t, db, into), want)
	}
}
