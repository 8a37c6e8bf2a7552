package mongo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
)

func sampleBackup(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	for i, d := range []bson.D{
		{{Key: "_id", Value: int32(1)}, {Key: "email", Value: "a@x.com"}},
		{{Key: "_id", Value: "two"}, {Key: "tags", Value: bson.A{"x", int64(2)}}, {Key: "sub", Value: bson.D{{Key: "a", Value: 1.5}}}},
		{{Key: "_id", Value: bson.NewObjectID()}, {Key: "n", Value: nil}},
	} {
		b, err := bson.Marshal(d)
		if err != nil {
			tb.Fatalf("record %d: %v", i, err)
		}
		buf.Write(b)
	}
	return buf.Bytes()
}

// readAll reads every record, returning how many were read and the error that stopped it.
func readAll(b []byte) (int, error) {
	br := NewBackupReader(bytes.NewReader(b), "test.bson")
	n := 0
	for {
		d, err := br.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if err := d.Validate(); err != nil {
			return n, err
		}
		n++
	}
}

func TestBackupReaderErrors(t *testing.T) {
	good := sampleBackup(t)
	first := int(binary.LittleEndian.Uint32(good))
	negative := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(negative, 0xFFFFFFF0)
	huge := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(huge, MaxBackupRecord+1)
	longer := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(longer, uint32(first+3))
	noTerm := append([]byte(nil), good...)
	noTerm[first-1] = 1
	noID, _ := bson.Marshal(bson.D{{Key: "x", Value: 1}})
	cases := []struct {
		name      string
		in        []byte
		records   int
		truncated bool
		msg       string
	}{
		{"whole file", good, 3, false, ""},
		{"empty file", nil, 0, false, ""},
		{"cut inside a length prefix", good[:first+2], 1, true, "record 2 at byte " + itoa(first)},
		{"cut inside a record", good[:len(good)-3], 2, true, "has only"},
		{"negative length", negative, 0, false, "impossible"},
		{"length beyond the BSON limit", huge, 0, false, "impossible"},
		{"length longer than the record", longer, 0, false, "not a valid BSON document"},
		{"no terminating NUL", noTerm, 0, false, "not a valid BSON document"},
		{"a document without _id", noID, 0, false, "no _id"},
		{"not BSON at all", []byte("{\"_id\": 1}\n"), 0, false, "impossible"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := readAll(tc.in)
			if n != tc.records {
				t.Errorf("read %d records, want %d", n, tc.records)
			}
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "test.bson") {
				t.Fatalf("error %v, want one naming the file and saying %q", err, tc.msg)
			}
			if errors.Is(err, ErrTruncated) != tc.truncated {
				t.Errorf("ErrTruncated: %v, want %v", errors.Is(err, ErrTruncated), tc.truncated)
			}
		})
	}
}

// writeRunManifest puts beside a backup the manifest of a run in the given state.
func writeRunManifest(t *testing.T, path, status string) {
	t.Helper()
	if err := writeManifest(manifestPath(path), Manifest{Version: ManifestVersion, Tool: "dupes", NS: model.Namespace{DB: "shop", Coll: "users"}, Status: status, Backup: filepath.Base(path)}); err != nil {
		t.Fatal(err)
	}
}

// TestBackupSetsTornTailAside: reopening the backup of a run that died mid-write keeps its
// whole records and goes on after them; the torn write is not cut away but kept, with the
// file as it was, beside it, and the bytes are reported.
func TestBackupSetsTornTailAside(t *testing.T) {
	good := sampleBackup(t)
	path := filepath.Join(t.TempDir(), "x.bson")
	torn := append(append([]byte(nil), good...), good[:7]...)
	if err := os.WriteFile(path, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	writeRunManifest(t, path, RunRunning)
	b, cut, err := openBackup(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if cut != 7 || b.records != 3 {
		t.Fatalf("set aside %d bytes, %d records", cut, b.records)
	}
	if kept, err := os.ReadFile(b.aside); err != nil || !bytes.Equal(kept, torn) {
		t.Fatalf("the file as it was is not kept whole at %q: %v", b.aside, err)
	}
	extra, _ := bson.Marshal(bson.D{{Key: "_id", Value: int32(9)}})
	if !b.has(bson.Raw(good[:binary.LittleEndian.Uint32(good)])) || b.has(extra) {
		t.Error("has() does not know what the file holds")
	}
	if err := b.Append([]bson.Raw{extra}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	data, _ := os.ReadFile(path)
	if n, err := readAll(data); err != nil || n != 4 {
		t.Fatalf("after append: %d records, %v", n, err)
	}
}

// TestBackupDamageIsRefusedAndLeftIntact: a short file is a torn write only at its end, in a
// run that did not end. A length damaged in the middle (which makes the reader see the rest
// of the file as one short record), or a short file whose run ended, is refused with its
// offset, and not one byte of the file changes.
func TestBackupDamageIsRefusedAndLeftIntact(t *testing.T) {
	good := sampleBackup(t)
	first := int(binary.LittleEndian.Uint32(good))
	midDamage := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(midDamage[first:], 1<<20) // record 2 claims a MiB
	for _, tc := range []struct {
		name, status string
		data         []byte
		want         string
	}{
		{"a damaged length in the middle", RunRunning, midDamage, "intact records follow the damaged one"},
		{"a damaged length in the middle of a failed run", RunFailed, midDamage, "intact records follow the damaged one"},
		{"a torn end of a run that ended", RunDone, append(append([]byte(nil), good...), good[:7]...), "its run ended"},
		{"a torn end of a cancelled run", RunCancelled, append(append([]byte(nil), good...), good[:7]...), "its run ended"},
		{"a torn end with no manifest", "", append(append([]byte(nil), good...), good[:7]...), "its run ended"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.bson")
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if tc.status != "" {
				writeRunManifest(t, path, tc.status)
			}
			_, _, err := openBackup(path, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "at byte") {
				t.Fatalf("got %v, want a refusal naming the offset and %q", err, tc.want)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(after, tc.data) {
				t.Fatal("the damaged backup was changed")
			}
			if m, _ := filepath.Glob(path + ".torn-*"); len(m) > 0 {
				t.Fatalf("a refused backup was set aside: %v", m)
			}
		})
	}
}

// FuzzBackupReader feeds the backup reader corrupt files: it must return records or a clear
// error, never panic, never loop, never hand out an invalid document.
func FuzzBackupReader(f *testing.F) {
	good := sampleBackup(f)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(good[:3])
	f.Add([]byte{})
	f.Add([]byte{5, 0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f, 0})
	f.Add(append([]byte{12, 0, 0, 0, 0x10, '_', 'i', 'd', 0, 1}, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		br := NewBackupReader(bytes.NewReader(data), "fuzz.bson")
		for i := 0; ; i++ {
			d, err := br.Next()
			if err == io.EOF {
				if br.Offset() != int64(len(data)) {
					t.Fatalf("EOF at byte %d of %d", br.Offset(), len(data))
				}
				return
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "backup fuzz.bson: record ") {
					t.Fatalf("unclear error: %v", err)
				}
				return
			}
			if err := d.Validate(); err != nil {
				t.Fatalf("record %d handed out invalid: %v", i, err)
			}
			if i > len(data) {
				t.Fatal("more records than bytes")
			}
		}
	})
}

// TestBackupLocked checks that a second run cannot write a backup another run holds.
func TestBackupLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.bson")
	b, _, err := openBackup(path, true)
	if err != nil {
		t.Fatal(err)
	}
	// A new backup is created, and locked, at its first record.
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a backup without a record exists: %v", err)
	}
	first, _ := bson.Marshal(bson.D{{Key: "_id", Value: int32(1)}})
	if err := b.Append([]bson.Raw{first}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openBackup(path, true); err == nil || !os.IsExist(errors.Unwrap(err)) && !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second new backup of the same name: %v", err)
	}
	if _, _, err := openBackup(path, false); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v", err)
	}
	b.Close()
	b2, _, err := openBackup(path, false)
	if err != nil {
		t.Fatalf("open after the first run closed: %v", err)
	}
	b2.Close()
}
