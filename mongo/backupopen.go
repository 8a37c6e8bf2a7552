package mongo

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// gzipMagic opens every gzip stream (RFC 1952): mongodump --gzip writes COLL.bson.gz.
var gzipMagic = []byte{0x1f, 0x8b}

// otherFormats are files people hand to a restore that are not BSON, by their first bytes, so
// the refusal says what the file is instead of "impossible record length".
var otherFormats = []struct {
	magic []byte
	what  string
}{
	{[]byte{0x28, 0xb5, 0x2f, 0xfd}, "zstd-compressed: decompress it first (zstd -d)"},
	{[]byte("BZh"), "bzip2-compressed: decompress it first (bunzip2)"},
	{[]byte{0xfd, '7', 'z', 'X', 'Z'}, "xz-compressed: decompress it first (unxz)"},
	{[]byte("PK\x03\x04"), "a zip archive: extract the .bson file from it"},
	{[]byte("\x6d\xe2\x99\x81"), "a mongodump --archive file: restore it with mongorestore --archive"},
}

// backupStream is an open backup: the file, decompressed when it is gzip.
type backupStream struct {
	io.Reader
	f    *os.File
	gz   *gzip.Reader
	head []byte // the first bytes of the file as stored, to name a format that is not BSON
}

// Gzip reports whether the file is gzip-compressed.
func (s *backupStream) Gzip() bool { return s.gz != nil }

func (s *backupStream) Close() error {
	if s.gz != nil {
		s.gz.Close()
	}
	return s.f.Close()
}

// openStream opens a backup for reading, telling gzip from plain BSON by the magic bytes (not
// the file name: a renamed file is still read right).
func openStream(path string) (*backupStream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open backup: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	head, _ := br.Peek(8)
	s := &backupStream{Reader: br, f: f, head: append([]byte(nil), head...)}
	if bytes.HasPrefix(head, gzipMagic) {
		if s.gz, err = gzip.NewReader(br); err != nil {
			f.Close()
			return nil, fmt.Errorf("backup %s starts like gzip but is not readable gzip: %w", path, err)
		}
		s.Reader = s.gz
	}
	return s, nil
}

// notBSON names what a file that failed to read as BSON seems to be, or "".
func (s *backupStream) notBSON() string {
	for _, o := range otherFormats {
		if bytes.HasPrefix(s.head, o.magic) {
			return o.what
		}
	}
	if t := strings.TrimLeft(string(s.head), " \t\r\n\ufeff"); t != "" && (t[0] == '{' || t[0] == '[') {
		return "JSON text (mongoexport and dupes keys write that): dupes restore and mongorestore read BSON"
	}
	return ""
}

// errNoRecord marks a backup that yields no document.
var errNoRecord = errors.New("holds no document")

// eachRecord calls fn for every record of a backup (plain BSON or gzip). A torn last record of a
// plain file (the writer died mid-write, before the delete it guarded) is skipped and its size
// returned; any other damage, a file that is not BSON, and a file that yields no record at all
// are errors.
func eachRecord(path string, fn func(i int, doc bson.Raw) error) (int, int64, error) {
	s, err := openStream(path)
	if err != nil {
		return 0, 0, err
	}
	defer s.Close()
	st, err := s.f.Stat()
	if err != nil {
		return 0, 0, err
	}
	if st.IsDir() {
		return 0, 0, fmt.Errorf("backup %s is a directory", path)
	}
	br := NewBackupReader(s, path)
	for i := 0; ; i++ {
		doc, err := br.Next()
		switch {
		case err == nil:
		case i == 0 && (err == io.EOF || errors.Is(err, ErrTruncated)):
			return 0, 0, s.empty(path, st.Size(), err)
		case err == io.EOF:
			return i, 0, nil
		case errors.Is(err, ErrTruncated) && !s.Gzip():
			return i, st.Size() - br.Offset(), nil
		case i == 0 && s.notBSON() != "":
			return 0, 0, fmt.Errorf("backup %s is not BSON: it seems to be %s", path, s.notBSON())
		case s.Gzip():
			return i, 0, fmt.Errorf("%w (after gzip decompression)", err)
		default:
			return i, 0, err
		}
		if err := fn(i, doc); err != nil {
			return i, 0, err
		}
	}
}

// empty explains a backup that yields no record: empty, torn in its first record, or not BSON.
func (s *backupStream) empty(path string, size int64, err error) error {
	switch {
	case s.notBSON() != "":
		return fmt.Errorf("backup %s is not BSON: it seems to be %s", path, s.notBSON())
	case size == 0:
		return fmt.Errorf("backup %s %w: it is empty (a run that backed up nothing deleted nothing)", path, errNoRecord)
	case errors.Is(err, ErrTruncated):
		return fmt.Errorf("%v: the backup %w; if dupes wrote it, its run died writing its first batch and deleted nothing, "+
			"otherwise it is not a BSON backup", err, errNoRecord)
	}
	return fmt.Errorf("backup %s %w", path, errNoRecord)
}
