package mongo_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// variedDocs are duplicates under "email" holding most BSON types, in odd field orders, so a
// round trip that re-encoded anything would show.
func variedDocs(t *testing.T, db, coll string) {
	t.Helper()
	oid := bson.NewObjectID()
	dec, _ := bson.ParseDecimal128("12.3400")
	when := bson.NewDateTimeFromTime(time.Date(2024, 2, 29, 12, 0, 0, 123e6, time.UTC))
	re := bson.E{Key: "re", Value: bson.Regex{Pattern: "^a", Options: "i"}}
	deleted, kept := bson.D{re}, bson.D{}
	if mongotest.JavaServer() {
		// It cannot compare a regular expression in the delete guard (TestExecuteGuardRegex):
		// there the keeper holds it.
		deleted, kept = kept, deleted
	}
	insert(t, db, coll,
		bson.D{{Key: "_id", Value: oid}, {Key: "email", Value: "a@x.com"}, {Key: "n", Value: int32(1)}},
		bson.D{{Key: "z", Value: "last-first"}, {Key: "_id", Value: bson.NewObjectID()}, {Key: "email", Value: "a@x.com"},
			{Key: "price", Value: dec}, {Key: "at", Value: when}, {Key: "f", Value: 1.0}, {Key: "i64", Value: int64(1)}},
		bson.D{{Key: "_id", Value: "str-id"}, {Key: "email", Value: "b@x.com"},
			{Key: "bin", Value: bson.Binary{Subtype: 4, Data: []byte("0123456789abcdef")}},
			{Key: "nested", Value: bson.D{{Key: "b", Value: bson.A{int32(1), "two", bson.D{{Key: "c", Value: nil}}}}, {Key: "a", Value: true}}}},
		append(bson.D{{Key: "_id", Value: bson.D{{Key: "k", Value: int32(1)}, {Key: "j", Value: "x"}}}, {Key: "email", Value: "b@x.com"}},
			append(deleted, bson.E{Key: "ts", Value: bson.Timestamp{T: 1, I: 2}})...),
		append(bson.D{{Key: "_id", Value: int64(7)}, {Key: "email", Value: "b@x.com"}, {Key: "empty", Value: bson.D{}}, {Key: "arr", Value: bson.A{}}}, kept...),
		bson.D{{Key: "_id", Value: 3.5}, {Key: "email", Value: "c@x.com"}},
	)
}

func TestRestoreRoundTrip(t *testing.T) {
	c, db := connect(t)
	variedDocs(t, db, "users")
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 3 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	afterDelete := rawDocs(t, db, "users")

	dry, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{DryRun: true})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if !dry.DryRun || dry.Records != 3 || dry.Inserted != 3 || dry.Existing != 0 || len(dry.Files) != 1 || dry.Files[0].NS != ns {
		t.Fatalf("dry run report: %+v", dry)
	}
	if got := rawDocs(t, db, "users"); len(got) != len(afterDelete) {
		t.Fatalf("the dry run wrote: %d documents, want %d", len(got), len(afterDelete))
	}

	res, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{})
	if err != nil || res.Inserted != 3 || res.Existing != 0 || res.Failed != 0 {
		t.Fatalf("restore: %v %+v", err, res)
	}
	after := rawDocs(t, db, "users")
	if !equal(keys(after), keys(before)) {
		t.Fatalf("after restore %v\nbefore        %v", keys(after), keys(before))
	}
	for id, d := range before {
		if string(after[id]) != string(d) {
			t.Errorf("document %s differs after the round trip:\nbefore %s\nafter  %s", id, d, after[id])
		}
	}
	// Restoring again finds everything in place and changes nothing.
	again, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{})
	if err != nil || again.Inserted != 0 || again.Existing != 3 {
		t.Fatalf("second restore: %v %+v", err, again)
	}
}

// TestRestoreNeverOverwrites puts a different document back under a deleted _id and checks the
// restore leaves it alone and says so.
func TestRestoreNeverOverwrites(t *testing.T) {
	c, db := connect(t)
	users(t, db, 2, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	insert(t, db, "users", bson.D{{Key: "_id", Value: int32(101)}, {Key: "email", Value: "new@x.com"}})
	res, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 1 || res.Existing != 1 || res.Files[0].Existing[0] != `{"$numberInt":"101"}` {
		t.Fatalf("report: %+v", res)
	}
	got := rawDocs(t, db, "users")[`{"$numberInt":"101"}`]
	if email, _ := got.Lookup("email").StringValueOK(); email != "new@x.com" {
		t.Fatalf("document 101 was overwritten: %s", got)
	}
}

// TestRestoreAfterUniqueIndex restores after the unique index was built: the server refuses the
// duplicates and the report names each with the reason.
func TestRestoreAfterUniqueIndex(t *testing.T) {
	c, db := connect(t)
	users(t, db, 2, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := planFor(t, c, ns, model.Key{Fields: []string{"email"}})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := coll(t, db, "users").Indexes().CreateOne(context.Background(), indexModel("email")); err != nil {
		t.Fatal(err)
	}
	res, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 0 || res.Failed != 2 {
		t.Fatalf("report: %+v", res)
	}
	for _, f := range res.Files[0].Failed {
		if !strings.Contains(f.Error, "E11000") && !strings.Contains(f.Error, "Duplicate key violation") { // FerretDB's words
			t.Errorf("failure of %s does not say why: %q", f.ID, f.Error)
		}
		t.Logf("%s: %s", f.ID, f.Error)
	}
}

// TestRestoreInputs covers how a backup is named: a directory of several backups, a file with
// no manifest, a namespace override, a damaged file, and read-only mode.
func TestRestoreInputs(t *testing.T) {
	c, db := connect(t)
	users(t, db, 2, 2)
	insert(t, db, "other", bson.D{{Key: "_id", Value: 1}, {Key: "k", Value: 1}}, bson.D{{Key: "_id", Value: 2}, {Key: "k", Value: 1}})
	dir := t.TempDir()
	ctx := context.Background()
	for _, p := range []model.Plan{
		planFor(t, c, model.Namespace{DB: db, Coll: "users"}, model.Key{Fields: []string{"email"}}),
		planFor(t, c, model.Namespace{DB: db, Coll: "other"}, model.Key{Fields: []string{"k"}}),
	} {
		if _, err := c.Execute(ctx, p, mongo.ExecOptions{BackupDir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.Restore(ctx, dir, mongo.RestoreOptions{DryRun: true})
	if err != nil || len(res.Files) != 2 || res.Inserted != 3 {
		t.Fatalf("directory dry run: %v %+v", err, res)
	}
	// A lone .bson without its manifest needs --ns.
	files, _ := filepath.Glob(filepath.Join(dir, "*.other.*.bson"))
	lone := filepath.Join(t.TempDir(), "lone.bson")
	data, _ := os.ReadFile(files[0])
	os.WriteFile(lone, data, 0o600)
	if _, err := c.Restore(ctx, lone, mongo.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "--ns") {
		t.Errorf("no manifest: %v", err)
	}
	target := model.Namespace{DB: db, Coll: "elsewhere"}
	res, err = c.Restore(ctx, lone, mongo.RestoreOptions{NS: target})
	if err != nil || res.Inserted != 1 || res.Files[0].NS != target {
		t.Errorf("restore with --ns: %v %+v", err, res)
	}
	// Damage in the middle: refused before anything is inserted.
	bad := filepath.Join(t.TempDir(), "bad.bson")
	broken := append(append([]byte(nil), data...), 0xff, 0xff, 0xff, 0x7f)
	broken = append(broken, data...)
	os.WriteFile(bad, broken, 0o600)
	n := len(rawDocs(t, db, "other"))
	if _, err := c.Restore(ctx, bad, mongo.RestoreOptions{NS: model.Namespace{DB: db, Coll: "other"}}); err == nil || !strings.Contains(err.Error(), "impossible") {
		t.Errorf("damaged backup: %v", err)
	}
	if len(rawDocs(t, db, "other")) != n {
		t.Error("a damaged backup was partly restored")
	}
	if _, err := c.Restore(ctx, filepath.Join(dir, "nope.bson"), mongo.RestoreOptions{}); err == nil {
		t.Error("a missing backup restored")
	}

	ro, err := mongo.Connect(ctx, mongotest.URI(t), mongo.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close(ctx)
	if _, err := ro.Restore(ctx, dir, mongo.RestoreOptions{}); !errors.Is(err, mongo.ErrReadOnly) {
		t.Errorf("read-only restore: %v", err)
	}
	if res, err := ro.Restore(ctx, dir, mongo.RestoreOptions{DryRun: true}); err != nil || res.Inserted != 3 {
		t.Errorf("read-only dry run (it only reads): %v %+v", err, res)
	}
}

func indexModel(field string) mongodriver.IndexModel {
	return mongodriver.IndexModel{Keys: bson.D{{Key: field, Value: 1}}, Options: options.Index().SetUnique(true)}
}

// A restore batch larger than the engine takes in one write command (FerretDB: 25 000, though
// it advertises 100 000) is cut to the engine's limit instead of failing with InvalidLength.
func TestRestoreBatchAboveTheEngineLimit(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	const n = 25001
	path := filepath.Join(t.TempDir(), "users.bson")
	var buf []byte
	for i := range n {
		raw, err := bson.Marshal(bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: "u" + strconv.Itoa(i)}})
		if err != nil {
			t.Fatal(err)
		}
		buf = append(buf, raw...)
	}
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := c.Restore(context.Background(), path, mongo.RestoreOptions{NS: ns, BatchSize: 30000})
	if err != nil {
		t.Fatalf("restore of %d documents in batches of 30000: %v", n, err)
	}
	if rep.Inserted != n || rep.Failed != 0 {
		t.Fatalf("report: %+v", rep)
	}
	if got, err := coll(t, db, "users").CountDocuments(context.Background(), bson.D{}); err != nil || got != n {
		t.Fatalf("%d documents in the collection (%v), want %d", got, err, n)
	}
}

// TestRestoreRefusesWhatItCannotRead gives restore files that are not a dupes backup: each is
// refused with an error saying what it is, and none yields "0 restored" with success.
func TestRestoreRefusesWhatItCannotRead(t *testing.T) {
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "target"}
	good := sampleBackupFile(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(good)
	zw.Close()
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "holds no document: it is empty"},
		{"JSON text (mongoexport)", []byte(`{"_id": 1, "email": "a@x.com"}` + "\n"), "not BSON: it seems to be JSON text"},
		{"JSON array", []byte(` [{"_id": 1}]`), "not BSON: it seems to be JSON text"},
		{"zstd", []byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0, 0}, "zstd"},
		{"mongodump --archive", append([]byte("\x6d\xe2\x99\x81"), good...), "mongorestore --archive"},
		{"a first record torn", good[:10], "holds no document"},
		{"garbage", bytes.Repeat([]byte{0xff}, 64), "impossible"},
		{"gzip of garbage", gzipOf(bytes.Repeat([]byte{0xff}, 64)), "after gzip decompression"},
		{"gzip cut short", gz.Bytes()[:gz.Len()-12], "after gzip decompression"},
		{"gzip header only", gz.Bytes()[:6], "not readable gzip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".bson")
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			for _, dry := range []bool{true, false} {
				res, err := c.Restore(context.Background(), p, mongo.RestoreOptions{NS: ns, DryRun: dry})
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("dry run %v: error %v, want one saying %q (report %+v)", dry, err, tc.want, res)
				}
				if dry {
					t.Logf("%v", err)
				}
			}
		})
	}
	if n := len(rawDocs(t, db, "target")); n != 0 {
		t.Fatalf("%d documents inserted from files that are not backups", n)
	}
	// The same file whole, gzipped, restores.
	p := filepath.Join(dir, "whole.bson.gz")
	os.WriteFile(p, gz.Bytes(), 0o600)
	if res, err := c.Restore(context.Background(), p, mongo.RestoreOptions{NS: ns}); err != nil || res.Inserted != 3 {
		t.Fatalf("gzip backup: %v %+v", err, res)
	}
}

// sampleBackupFile is three documents as a backup file holds them.
func sampleBackupFile(t *testing.T) []byte {
	var b []byte
	for i := 1; i <= 3; i++ {
		d, err := bson.Marshal(bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: "a@x.com"}})
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, d...)
	}
	return b
}

func gzipOf(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestRestoreNSOverAFolder: --ns names one namespace, so a folder of backups of several is
// refused before anything is inserted; a folder of one namespace's backups is restored.
func TestRestoreNSOverAFolder(t *testing.T) {
	c, db := connect(t)
	users(t, db, 2, 2)
	insert(t, db, "other", bson.D{{Key: "_id", Value: 1}, {Key: "k", Value: 1}}, bson.D{{Key: "_id", Value: 2}, {Key: "k", Value: 1}})
	dir := t.TempDir()
	ctx := context.Background()
	for _, p := range []model.Plan{
		planFor(t, c, model.Namespace{DB: db, Coll: "users"}, model.Key{Fields: []string{"email"}}),
		planFor(t, c, model.Namespace{DB: db, Coll: "other"}, model.Key{Fields: []string{"k"}}),
	} {
		if _, err := c.Execute(ctx, p, mongo.ExecOptions{BackupDir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	into := model.Namespace{DB: db, Coll: "into"}
	_, err := c.Restore(ctx, dir, mongo.RestoreOptions{NS: into})
	if err == nil || !strings.Contains(err.Error(), "holds backups of 2") {
		t.Fatalf("--ns over a folder of two namespaces: %v", err)
	}
	t.Logf("%v", err)
	if n := len(rawDocs(t, db, "into")); n != 0 {
		t.Fatalf("%d documents restored into %s", n, into)
	}
	one := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "*.users.*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(one, filepath.Base(f)), data, 0o600)
	}
	res, err := c.Restore(ctx, one, mongo.RestoreOptions{NS: into})
	if err != nil || res.Inserted != 2 {
		t.Fatalf("--ns over a folder of one namespace: %v %+v", err, res)
	}
}

// failedIDs lists a restore's refused documents by _id, with the index named.
func failedIDs(t *testing.T, res model.RestoreReport) map[model.Value]model.RestoreFailed {
	t.Helper()
	out := map[model.Value]model.RestoreFailed{}
	for _, f := range res.Files {
		for _, fl := range f.Failed {
			out[fl.ID] = fl
		}
	}
	return out
}

// TestRestoreDryRunPredictsUniqueRefusals builds the unique index after the cleanup: the dry
// run must name each document the server will refuse, with the index and the document holding
// the key (a survivor, or a backed-up document restored before it), and the real run must
// then refuse exactly those.
func TestRestoreDryRunPredictsUniqueRefusals(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	users(t, db, 2, 3) // u1@x.com: 100 101 102, u2@x.com: 200 201 202
	ns := model.Namespace{DB: db, Coll: "users"}
	rep, err := c.Execute(ctx, planFor(t, c, ns, model.Key{Fields: []string{"email"}}), mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 4 {
		t.Fatalf("execute: %v %+v", err, rep)
	}
	if _, err := coll(t, db, "users").Indexes().CreateOne(ctx, indexModel("email")); err != nil {
		t.Fatal(err)
	}
	// The keeper of u2 goes: u2's key is free again, for one backed-up document only.
	if _, err := coll(t, db, "users").DeleteOne(ctx, bson.D{{Key: "_id", Value: int32(200)}}); err != nil {
		t.Fatal(err)
	}
	dry, err := c.Restore(ctx, rep.BackupPath, mongo.RestoreOptions{DryRun: true})
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	got := failedIDs(t, dry)
	for _, f := range got {
		t.Logf("would refuse %s: %s", f.ID, f.Error)
	}
	want := map[model.Value]model.Value{ // refused → holder
		`{"$numberInt":"101"}`: `{"$numberInt":"100"}`,
		`{"$numberInt":"102"}`: `{"$numberInt":"100"}`,
		`{"$numberInt":"202"}`: `{"$numberInt":"201"}`,
	}
	if dry.Inserted != 1 || dry.Failed != 3 || len(got) != 3 {
		t.Fatalf("dry run: would insert %d, refuse %d; want 1 and 3: %+v", dry.Inserted, dry.Failed, dry)
	}
	for id, holder := range want {
		f, ok := got[id]
		if !ok || f.Index != "email_1" || f.Holder != holder || !strings.Contains(f.Error, `email: "u`) {
			t.Errorf("%s: %+v, want refused by email_1 for holder %s", id, f, holder)
		}
	}
	if !strings.Contains(got[`{"$numberInt":"202"}`].Error, "restored before it") {
		t.Errorf("202 does not say a backed-up document takes the key first: %s", got[`{"$numberInt":"202"}`].Error)
	}
	if n := len(rawDocs(t, db, "users")); n != 2 {
		t.Fatalf("the dry run wrote: %d documents", n)
	}

	res, err := c.Restore(ctx, rep.BackupPath, mongo.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	real := failedIDs(t, res)
	if res.Inserted != dry.Inserted || len(real) != len(got) {
		t.Fatalf("the run differs from its dry run: inserted %d refused %d, predicted %d and %d", res.Inserted, len(real), dry.Inserted, len(got))
	}
	for id := range got {
		if f, ok := real[id]; !ok || f.Index != "email_1" {
			t.Errorf("%s was predicted refused by email_1; the run: %+v", id, f)
		}
	}
}

// TestRestorePredictionFollowsIndexKeys checks the prediction against MongoDB's key rules on a
// multikey index: an array collides by any element, a missing field keys as null, an empty
// array as undefined (which null does not hold), and sparse leaves missing fields out.
func TestRestorePredictionFollowsIndexKeys(t *testing.T) {
	c, db := connect(t)
	ctx := context.Background()
	insert(t, db, "tags",
		bson.D{{Key: "_id", Value: int32(1)}, {Key: "tags", Value: bson.A{"a", "b"}}},
		bson.D{{Key: "_id", Value: int32(7)}, {Key: "tags", Value: nil}})
	if _, err := coll(t, db, "tags").Indexes().CreateOne(ctx, indexModel("tags")); err != nil {
		t.Fatal(err)
	}
	var file []byte
	for _, d := range []bson.D{
		{{Key: "_id", Value: int32(2)}, {Key: "tags", Value: bson.A{"b", "c"}}}, // b: held by 1
		{{Key: "_id", Value: int32(3)}, {Key: "tags", Value: "c"}},              // c: taken by 2? no, 2 is refused: free
		{{Key: "_id", Value: int32(4)}, {Key: "tags", Value: bson.A{"d", "c"}}}, // c: taken by 3
		{{Key: "_id", Value: int32(5)}, {Key: "tags", Value: bson.A{}}},         // undefined: free
		{{Key: "_id", Value: int32(6)}},                                         // null: held by 7
	} {
		b, err := bson.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		file = append(file, b...)
	}
	p := filepath.Join(t.TempDir(), "tags.bson")
	os.WriteFile(p, file, 0o600)
	ns := model.Namespace{DB: db, Coll: "tags"}
	dry, err := c.Restore(ctx, p, mongo.RestoreOptions{NS: ns, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	got := failedIDs(t, dry)
	want := map[model.Value]model.Value{
		`{"$numberInt":"2"}`: `{"$numberInt":"1"}`,
		`{"$numberInt":"4"}`: `{"$numberInt":"3"}`,
		`{"$numberInt":"6"}`: `{"$numberInt":"7"}`,
	}
	for _, f := range got {
		t.Logf("would refuse %s: %s", f.ID, f.Error)
	}
	if len(got) != len(want) || dry.Inserted != 2 {
		t.Fatalf("predicted %d refused, %d inserted; want 3 and 2", len(got), dry.Inserted)
	}
	for id, holder := range want {
		if got[id].Holder != holder {
			t.Errorf("%s: %+v, want held by %s", id, got[id], holder)
		}
	}
}
