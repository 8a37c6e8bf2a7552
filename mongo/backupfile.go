package mongo

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// MaxBackupRecord is the largest record the backup reader accepts: MongoDB's 16 MiB document
// limit plus the 16 KiB of headroom the server allows internally. A larger length prefix means
// the file is corrupt, not that a document is big.
const MaxBackupRecord = 16*1024*1024 + 16*1024

// minRecord is the smallest BSON document: a 4-byte length and the terminating NUL.
const minRecord = 5

// BackupReader reads a backup file: BSON documents written back to back, as mongodump writes
// a collection. Every record is checked (length, terminator, structure) so a corrupt or
// truncated file gives an error naming the record and its byte offset, never a panic.
type BackupReader struct {
	r      *bufio.Reader
	name   string
	offset int64 // byte offset of the next record
	n      int   // records read
}

// NewBackupReader reads records from r; name is used in error messages.
func NewBackupReader(r io.Reader, name string) *BackupReader {
	return &BackupReader{r: bufio.NewReaderSize(r, 1<<16), name: name}
}

// ErrTruncated marks a backup that ends in the middle of a record, as a file does when the
// writer was killed mid-write. Everything before Offset() is intact.
var ErrTruncated = errors.New("backup ends in the middle of a record")

// Offset is the byte offset just after the last record read successfully.
func (br *BackupReader) Offset() int64 { return br.offset }

// Next returns the next document, io.EOF at a clean end of file, or an error saying where the
// file is damaged. The returned document is a fresh slice the caller may keep.
func (br *BackupReader) Next() (bson.Raw, error) {
	var head [4]byte
	n, err := io.ReadFull(br.r, head[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, br.errorf(ErrTruncated, "a %d-byte length prefix where 4 bytes are needed", n)
	}
	size := int64(int32(binary.LittleEndian.Uint32(head[:])))
	if size < minRecord || size > MaxBackupRecord {
		return nil, br.errorf(nil, "record length %d is impossible (a BSON document is %d to %d bytes): not a BSON backup, or corrupt", size, minRecord, MaxBackupRecord)
	}
	// Grow with what actually arrives, so a corrupt length does not allocate 16 MiB, and
	// never past the record: a 2 MiB document is held in 2 MiB, not in a doubled buffer.
	doc := make([]byte, 4, min(size, 1<<16))
	copy(doc, head[:])
	for int64(len(doc)) < size {
		if len(doc) == cap(doc) {
			grown := make([]byte, len(doc), min(size, 2*int64(cap(doc))))
			doc = grown[:copy(grown, doc)]
		}
		n, err := io.ReadFull(br.r, doc[len(doc):min(int64(cap(doc)), size)])
		doc = doc[:len(doc)+n]
		if err != nil {
			return nil, br.errorf(ErrTruncated, "record of %d bytes has only %d", size, len(doc))
		}
	}
	if err := bson.Raw(doc).Validate(); err != nil {
		return nil, br.errorf(nil, "record of %d bytes is not a valid BSON document: %v", size, err)
	}
	if _, err := bson.Raw(doc).LookupErr("_id"); err != nil {
		return nil, br.errorf(nil, "record has no _id")
	}
	br.offset += size
	br.n++
	return doc, nil
}

func (br *BackupReader) errorf(kind error, format string, a ...any) error {
	msg := fmt.Sprintf("backup %s: record %d at byte %d: %s", br.name, br.n+1, br.offset, fmt.Sprintf(format, a...))
	if kind != nil {
		return fmt.Errorf("%s: %w", msg, kind)
	}
	return errors.New(msg)
}

// docHash fingerprints a backed-up document, so a resumed run can tell whether the copy it
// already holds is the document as it is now.
type docHash [16]byte

func hashDoc(doc bson.Raw) docHash {
	sum := sha256.Sum256(doc)
	var h docHash
	copy(h[:], sum[:])
	return h
}

// backupFile is the append-only backup of one run. Every Append is written whole and synced
// before it returns, and a failed Append is cut back off, so the file always ends on a record
// boundary that was on disk before the matching delete was sent.
//
// A new backup is created at its first record, not before: a run that deletes nothing leaves
// no backup file, only its manifest, whose count of documents backed up is 0. A restore of a
// folder thus meets no empty backup, and a restore of such a manifest has nothing to restore.
type backupFile struct {
	f    *os.File // nil until the first record of a new backup
	path string
	size int64 // bytes of complete, synced records
	// held maps the _id (canonical Extended JSON) of every document in the file to the hash
	// of its last copy, so a resumed run neither loses a change nor writes a record twice.
	held    map[string]docHash
	records int
	made    bool   // this run created the file (create)
	claim   string // the empty manifest claimBackup made, until the file is made
	aside   string // where a torn last record was set aside (setAsideTorn), "" if none
}

// openBackup opens a backup file for appending. A new one (create) is only claimed: its name
// must be free (nor may a manifest stand there), and the file is created, mode 0600, at the
// first Append. An existing file is read first: its records fill held. A torn last record (a
// crash during a write, before the delete it guarded) is set aside, never lost (see
// setAsideTorn); any other damage is refused and the file left as it is. It returns the bytes
// set aside. A file that does not exist where the manifest beside it says its run backed up
// nothing (see backupFile) is opened as a new one: that run deleted nothing.
func openBackup(path string, create bool) (*backupFile, int64, error) {
	if create {
		return claimBackup(path)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if errors.Is(err, os.ErrNotExist) && backedUpNothing(path) {
		return &backupFile{path: path, held: map[string]docHash{}}, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open the backup file: %w", err)
	}
	if err := lockBackup(f); err != nil {
		f.Close()
		return nil, 0, err
	}
	b := &backupFile{f: f, path: path, held: map[string]docHash{}}
	cut, err := b.load(tornAllowed(path))
	if err != nil {
		b.f.Close()
		return nil, 0, err
	}
	return b, cut, nil
}

// tornAllowed says whether a torn last record may be set aside: the manifest beside the
// backup says its run did not end (running: the process died; failed: an error stopped it,
// perhaps before the cut of a failed write). A run that ended cleanly never leaves half a
// record, so a short file then is damage.
func tornAllowed(path string) bool {
	m, err := ReadManifest(manifestPath(path))
	return err == nil && (m.Status == RunRunning || m.Status == RunFailed)
}

// claimBackup is a new backup, not yet created. A backup (.bson) claims its name by creating
// its manifest, empty and exclusively, which the run's first manifest write replaces: that
// also finds a directory the run cannot write before anything is deleted. Other files (the
// keepers backup of a merging run) only check that the name is free.
func claimBackup(path string) (*backupFile, int64, error) {
	b := &backupFile{path: path, held: map[string]docHash{}}
	if _, err := os.Lstat(path); err == nil {
		return nil, 0, fmt.Errorf("open the backup file: %w", &os.PathError{Op: "create", Path: path, Err: os.ErrExist})
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, 0, fmt.Errorf("open the backup file: %w", err)
	}
	if !strings.HasSuffix(path, ".bson") {
		return b, 0, nil
	}
	mp := manifestPath(path)
	f, err := os.OpenFile(mp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, 0, fmt.Errorf("open the backup file: %w", err)
	}
	f.Close()
	b.claim = mp
	return b, 0, nil
}

// backedUpNothing reports a backup whose manifest says its run backed up no document.
func backedUpNothing(path string) bool {
	m, err := ReadManifest(manifestPath(path))
	return err == nil && m.Counts.BackedUp == 0 && (m.Backup == "" || m.Backup == filepath.Base(path))
}

// create makes a claimed backup's file at its first record.
func (b *backupFile) create() error {
	f, err := os.OpenFile(b.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create the backup file: %w", err)
	}
	if err := lockBackup(f); err != nil {
		f.Close()
		os.Remove(b.path)
		return err
	}
	b.f, b.made, b.claim = f, true, ""
	syncDir(filepath.Dir(b.path))
	return nil
}

// load reads what the file already holds and positions it for appending. torn is
// tornAllowed's answer for this file.
func (b *backupFile) load(torn bool) (int64, error) {
	st, err := b.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("backup %s: %w", b.path, err)
	}
	if !st.Mode().IsRegular() {
		// A device such as /dev/full: nothing to read back, writes decide.
		return 0, nil
	}
	br := NewBackupReader(b.f, b.path)
	var short error
	for {
		doc, err := br.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrTruncated) {
			short = err
			break
		}
		if err != nil {
			return 0, fmt.Errorf("cannot continue the earlier run's backup (it is left as it is): %w", err)
		}
		b.held[idKey(doc)] = hashDoc(doc)
		b.records++
	}
	b.size = br.Offset()
	cut := st.Size() - b.size
	if cut > 0 {
		if err := b.setAsideTorn(short, torn); err != nil {
			return 0, err
		}
	}
	if _, err := b.f.Seek(b.size, io.SeekStart); err != nil {
		return 0, fmt.Errorf("backup %s: %w", b.path, err)
	}
	return cut, nil
}

// setAsideTorn deals with a backup that ends in the middle of a record, at b.size. dupes only
// ever appends whole records, so that is a torn tail (a write the process did not finish, in
// a run that did not end) only when nothing after b.size reads as records: a length field
// damaged in the middle of the file also stops the reader early, with intact records after
// it. Damage is refused, naming the offset, and the file is left as it is. A torn tail is set
// aside: the whole file is kept as NAME.torn-OFFSET and a copy of its intact records takes
// its place, so no byte of a backup is ever cut away.
func (b *backupFile) setAsideTorn(short error, torn bool) error {
	if _, err := b.f.Seek(b.size, io.SeekStart); err != nil {
		return fmt.Errorf("backup %s: %w", b.path, err)
	}
	tail, err := io.ReadAll(io.LimitReader(b.f, tornTailLimit+1))
	if err != nil {
		return fmt.Errorf("backup %s: %w", b.path, err)
	}
	refuse := func(why string) error {
		return fmt.Errorf("cannot continue the earlier run's backup: %v; %s. The file is left as it is: "+
			"restore from it with dupes restore, or move it and its manifest aside to start afresh", short, why)
	}
	switch {
	case !torn:
		return refuse("its run ended, so it cannot end in a torn write: this is damage")
	case len(tail) > tornTailLimit:
		return refuse(fmt.Sprintf("more than %d MiB follow the last intact record, more than a torn write of a batch", tornTailLimit>>20))
	case recordsWithin(tail):
		return refuse("intact records follow the damaged one: a length in the middle of the file is damaged")
	}
	aside := fmt.Sprintf("%s.torn-%d", b.path, b.size)
	tmp := aside + ".intact"
	if err := copyPrefix(b.path, tmp, b.size); err != nil {
		return fmt.Errorf("backup %s: set its torn last record aside: %w", b.path, err)
	}
	// The original, torn tail and all, is kept under another name; the intact copy takes the
	// backup's name. Both renames are in one directory, and each is atomic.
	if err := os.Rename(b.path, aside); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup %s: set its torn last record aside: %w", b.path, err)
	}
	if err := os.Rename(tmp, b.path); err != nil {
		return fmt.Errorf("backup %s: the original is now %s, its intact records in %s: %w", b.path, aside, tmp, err)
	}
	syncDir(filepath.Dir(b.path))
	f, err := os.OpenFile(b.path, os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("backup %s: %w", b.path, err)
	}
	if err := lockBackup(f); err != nil {
		f.Close()
		return err
	}
	b.f.Close()
	b.f, b.aside = f, aside
	return nil
}

// tornTailLimit bounds what setAsideTorn reads of a tail. A longer one is refused: that is no
// half-written record of a usual batch, and refusing loses nothing.
const tornTailLimit = 64 << 20

// recordsWithin reports whether, from some byte after the first of tail, whole valid records
// with an _id run exactly to its end: then tail is not one record cut short, but records
// behind a damaged length.
func recordsWithin(tail []byte) bool {
	for p := 1; p+minRecord <= len(tail); p++ {
		q := p
		for q+4 <= len(tail) {
			size := int(int32(binary.LittleEndian.Uint32(tail[q:])))
			if size < minRecord || size > len(tail)-q {
				break
			}
			doc := bson.Raw(tail[q : q+size])
			if doc.Validate() != nil {
				break
			}
			if _, err := doc.LookupErr("_id"); err != nil {
				break
			}
			q += size
		}
		if q > p && q == len(tail) {
			return true
		}
	}
	return false
}

// copyPrefix writes the first n bytes of src to a new file dst, synced.
func copyPrefix(src, dst string, n int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.CopyN(out, in, n)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// has reports whether the file already holds exactly this document.
func (b *backupFile) has(doc bson.Raw) bool {
	h, ok := b.held[idKey(doc)]
	return ok && h == hashDoc(doc)
}

// holds reports whether the file holds some copy of the document with this _id.
func (b *backupFile) holds(id string) bool {
	_, ok := b.held[id]
	return ok
}

// Append writes documents and syncs them to disk. On any failure the file is cut back to
// its previous end and the error returned: the caller must then delete nothing.
func (b *backupFile) Append(docs []bson.Raw) error {
	if len(docs) == 0 {
		return nil
	}
	if b.f == nil {
		if err := b.create(); err != nil {
			return fmt.Errorf("%w (nothing of this batch was deleted)", err)
		}
	}
	// Through a small buffer, not one copy of the whole batch: a batch of large documents
	// would otherwise hold its bytes twice (issue 20's memory bound).
	w := bufio.NewWriterSize(b.f, 1<<20)
	written := int64(0)
	var err error
	for _, d := range docs {
		if _, err = w.Write(d); err != nil {
			break
		}
		written += int64(len(d))
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = b.f.Sync()
	}
	if err != nil {
		// Best effort: leave no partial record behind. A reader cuts one off anyway.
		if st, serr := b.f.Stat(); serr == nil && st.Mode().IsRegular() {
			_ = b.f.Truncate(b.size)
			_, _ = b.f.Seek(b.size, io.SeekStart)
		}
		if b.made && b.size == 0 {
			// Still no record: no file either, as if the run had not come this far.
			b.f.Close()
			os.Remove(b.path)
			b.f, b.made = nil, false
		}
		return fmt.Errorf("write the backup %s: %w (nothing of this batch was deleted)", b.path, err)
	}
	b.size += written
	b.records += len(docs)
	if b.held != nil { // nil in a streamed run, which never resumes (execute_stream.go)
		for _, d := range docs {
			b.held[idKey(d)] = hashDoc(d)
		}
	}
	return nil
}

// Close closes the file, if the run created it. A claimed name the run never wrote its
// manifest to (it stopped before) is given back.
func (b *backupFile) Close() error {
	if b.f == nil {
		if st, err := os.Stat(b.claim); b.claim != "" && err == nil && st.Size() == 0 {
			os.Remove(b.claim)
		}
		return nil
	}
	return b.f.Close()
}

// idKey is a document's _id as canonical Extended JSON, the form plans use.
func idKey(doc bson.Raw) string {
	return string(value(doc.Lookup("_id")))
}
