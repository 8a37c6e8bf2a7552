package mongo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RestoreBatch is how many backed-up documents one restore round trip checks and inserts.
const RestoreBatch = 1000

// RestoreBatchBytes caps the bytes of the documents one restore batch holds. Smaller than a
// plan run's (ExecBatchBytes): a restore checks and inserts its batch but never needs it
// whole at once, so large documents cost it round trips rather than memory.
const RestoreBatchBytes = 4 << 20

// RestoreOptions tune a restore.
type RestoreOptions struct {
	// NS, when set, overrides the namespace recorded in the manifest beside each backup
	// (needed for a .bson file that has no manifest).
	NS model.Namespace
	// DryRun only counts what would be inserted and what already exists; it writes nothing.
	DryRun bool
	// BatchSize is documents per round trip; RestoreBatch when 0.
	BatchSize int
	// AllowShort restores what a backup holds although it is shorter than its manifest says
	// (checkLength): the DBA has seen the damage and wants the intact records back.
	AllowShort bool
	// Pace shares a busy primary, as a plan run's (ExecOptions.Pace): documents inserted per
	// second, pauses between batches. A dry run writes nothing and is not paced.
	Pace Pace
	// Progress, if set, is called after every batch and while the restore is paused:
	// DocsDeleted counts the documents handled (put back, found in place or refused).
	Progress func(model.Progress)

	// batchBytes, set only by this package's tests, replaces RestoreBatchBytes.
	batchBytes int
}

// ErrRestoreInterrupted ends a restore stopped by a cancel between batches: what is back
// stays, and the same restore run again puts back the rest (it never overwrites).
var ErrRestoreInterrupted = errors.New("interrupted: the batch in flight finished, the rest was not restored; " +
	"run the same restore again to go on (what is back is found in place and left alone)")

// Restore re-inserts backed-up documents that are not in their collection. path is a backup
// (.bson, or gzip such as mongodump --gzip's .bson.gz) or a directory of them, each with its
// manifest. A document whose _id exists is never overwritten: it is reported. A backup damaged
// anywhere but in a torn last record, a file that is not BSON, and a file that yields no
// document are refused before anything is inserted. A dry run only reads, so it is allowed
// read-only; it predicts what the collection's unique indexes will refuse.
func (c *Client) Restore(ctx context.Context, path string, opt RestoreOptions) (rep model.RestoreReport, err error) {
	rep = model.RestoreReport{DryRun: opt.DryRun}
	if c.readOnly && !opt.DryRun {
		return rep, ErrReadOnly
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = RestoreBatch
	}
	if opt.batchBytes <= 0 {
		opt.batchBytes = RestoreBatchBytes
	}
	if !opt.DryRun {
		// One InsertMany per batch: the engine must take that many statements in a command.
		e, err := c.Engine(ctx)
		if err != nil {
			return rep, err
		}
		opt.BatchSize = min(opt.BatchSize, e.MaxWriteBatch)
	}
	files, nss, err := backupTargets(path, opt.NS)
	if err != nil {
		return rep, err
	}
	// Check every file before inserting anything, so a damaged one stops the whole restore.
	// A dry run shares one account per namespace across its files (dryState), as the inserts
	// of one file are in place when the next is restored.
	scans := make([]*restoreScan, len(files))
	dry := map[model.Namespace]*dryState{}
	folder := false
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		folder = true
	}
	for i, f := range files {
		if scans[i], err = c.scanFile(ctx, f, nss[i], opt, dry, folder); err != nil {
			return rep, err
		}
	}
	rr := &restoreRun{c: c, opt: opt, started: time.Now()}
	if !opt.DryRun {
		rr.pacer = newPacer(c, opt.Pace)
		rr.pacer.report = rr.progress
	}
	for _, s := range scans {
		rr.total += len(s.last)
	}
	defer func() {
		if rr.pacer != nil {
			rep.Pauses = rr.pacer.pauses
		}
	}()
	for _, s := range scans {
		if s.nothing != "" {
			s.fr.Nothing = s.nothing
			rep.Files = append(rep.Files, s.fr)
			continue
		}
		fr, err := rr.file(ctx, s)
		if errors.Is(err, ErrRestoreInterrupted) {
			rep.Cancelled = true
		}
		if err == nil {
			// The keepers a merging run updated get their before-images back (restore_merge.go).
			fr.Keepers, err = c.restoreKeepers(ctx, s.fr.Path, s.fr.NS, opt)
		}
		rep.Files = append(rep.Files, fr)
		rep.Records += fr.Records
		rep.Inserted += fr.Inserted
		rep.Existing += len(fr.Existing)
		rep.Failed += len(fr.Failed)
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// backupTargets lists the backups a path names and the namespace each restores into. Every
// namespace is resolved first, so a missing manifest stops the restore before it starts. An
// override (--ns) names one namespace, so it is refused for a directory holding backups of
// several: it would pour them all into one collection.
func backupTargets(path string, override model.Namespace) ([]string, []model.Namespace, error) {
	files, err := backupFiles(path)
	if err != nil {
		return nil, nil, err
	}
	nss := make([]model.Namespace, len(files))
	if override.DB != "" && len(files) > 1 {
		seen := map[string]bool{}
		var names []string
		for _, f := range files {
			name := "?" + filepath.Base(f) // no manifest: a namespace of its own
			if m, err := ReadManifest(manifestPath(f)); err == nil {
				name = m.NS.String()
			}
			if !seen[name] {
				seen[name] = true
				names = append(names, strings.TrimPrefix(name, "?"))
			}
		}
		if len(names) > 1 {
			return nil, nil, fmt.Errorf("--ns %s names one namespace, but %s holds backups of %d (%s): "+
				"restore them one file at a time (--backup FILE --ns DB.COLL), or drop --ns to restore each where it came from",
				override, path, len(names), strings.Join(names, ", "))
		}
	}
	for i, f := range files {
		if nss[i], err = backupNS(f, override); err != nil {
			return nil, nil, err
		}
	}
	return files, nss, nil
}

// backupFiles lists the backups a path names: the file itself (a manifest names its backup),
// or a directory's .bson and .bson.gz files. A run that deleted nothing wrote no backup file,
// only its manifest (backupFile): such a manifest, alone in the directory or named, stands for
// a backup with nothing to restore (scanFile), listed by the path its file would have.
// CheckBackupPath refuses, before anything connects, a backup path that is neither a regular
// file nor a directory: a FIFO or a device would block the reader, or never end.
func CheckBackupPath(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	return checkBackupMode(path, st)
}

func checkBackupMode(path string, st os.FileInfo) error {
	if !st.IsDir() && !st.Mode().IsRegular() {
		return fmt.Errorf("backup %s is not a regular file (%s): give a backup file or a directory of them", path, st.Mode().Type())
	}
	return nil
}

func backupFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", path, err)
	}
	if err := checkBackupMode(path, st); err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if strings.HasSuffix(path, ".json") {
			m, err := ReadManifest(path)
			if err != nil {
				return nil, err
			}
			f, err := manifestBackup(path, m)
			if err != nil {
				return nil, err
			}
			return []string{f}, nil
		}
		return []string{path}, nil
	}
	var files []string
	for _, pat := range []string{"*.bson", "*.bson.gz"} {
		m, err := filepath.Glob(filepath.Join(globEscape(path), pat))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	manifests, err := filepath.Glob(filepath.Join(globEscape(path), "*.json"))
	if err != nil {
		return nil, err
	}
	for _, mp := range manifests {
		m, err := ReadManifest(mp)
		if err != nil {
			continue // not a manifest: not ours to read
		}
		f, err := manifestBackup(mp, m)
		if err != nil {
			return nil, err
		}
		if m.Counts.BackedUp == 0 && !exists(f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("backup directory %s holds no .bson or .bson.gz backup", path)
	}
	sort.Strings(files)
	return files, nil
}

// manifestBackup is the backup file a manifest names, beside it.
func manifestBackup(manifest string, m Manifest) (string, error) {
	if m.Backup == "" {
		return strings.TrimSuffix(manifest, ".json") + ".bson", nil
	}
	// File names come from dupes alone: a manifest edited to name ../../etc/x, or a path of
	// any kind, is refused rather than followed out of its folder.
	if m.Backup != filepath.Base(m.Backup) || strings.ContainsAny(m.Backup, `/\`) || m.Backup == "." || m.Backup == ".." {
		return "", fmt.Errorf("manifest %s names the backup %q, which is not a file beside it: dupes only reads the backups it named itself", manifest, m.Backup)
	}
	return filepath.Join(filepath.Dir(manifest), m.Backup), nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func emptyFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Size() == 0
}

// backupNS is the namespace a backup restores into: the override, else its manifest's.
func backupNS(file string, override model.Namespace) (model.Namespace, error) {
	if override.DB != "" {
		return override, nil
	}
	mp := manifestPath(file)
	m, err := ReadManifest(mp)
	if errors.Is(err, os.ErrNotExist) {
		return model.Namespace{}, fmt.Errorf("backup %s has no manifest (%s) saying where it came from: give the namespace (--ns DB.COLL)", file, filepath.Base(mp))
	}
	if err != nil {
		return model.Namespace{}, err
	}
	return m.NS, nil
}

// restoreScan is the first pass over one backup: checked whole, and the last copy of each
// document found (a resumed run may hold an older copy of a document that changed).
type restoreScan struct {
	fr   model.RestoreFile
	last map[string]int
	dry  *dryState // a dry run's account of the namespace
	// nothing says why the backup has nothing to restore: its run deleted nothing.
	nothing string
}

// dryState is what a dry run predicts of one namespace across its backups: the unique indexes'
// claims (nil when the collection does not exist yet), and the _ids it predicts inserted, which
// a later backup then finds in place, as the restore would.
type dryState struct {
	uc      *uniqueCheck
	planned map[string]bool
}

// scanFile checks a backup and its target collection without writing anything. A backup of a
// run that deleted nothing (no file, or an empty one, where its manifest says it backed up
// nothing; in a folder, any empty file) has nothing to restore: s.nothing says so.
func (c *Client) scanFile(ctx context.Context, path string, ns model.Namespace, opt RestoreOptions, dry map[model.Namespace]*dryState, folder bool) (*restoreScan, error) {
	s := &restoreScan{fr: model.RestoreFile{Path: path, NS: ns}, last: map[string]int{}}
	if !exists(path) && backedUpNothing(path) {
		s.nothing = "its run deleted nothing: its manifest records no document backed up, and no backup file was written"
		return s, nil
	}
	col, colErr := c.Collection(ctx, ns)
	if colErr == nil && (col.Type != model.TypeCollection || col.System()) {
		return s, fmt.Errorf("cannot restore into %s: %w", ns, col.CanDelete())
	}
	if opt.DryRun {
		if s.dry = dry[ns]; s.dry == nil {
			s.dry = &dryState{planned: map[string]bool{}}
			if colErr == nil {
				var err error
				if s.dry.uc, s.fr.Unchecked, err = c.newUniqueCheck(ctx, ns); err != nil {
					return s, err
				}
			}
			dry[ns] = s.dry
		}
	}
	n, torn, err := eachRecord(path, func(i int, doc bson.Raw) error {
		s.last[idKey(doc)] = i
		return nil
	})
	if errors.Is(err, errNoRecord) && (backedUpNothing(path) || (folder && emptyFile(path))) {
		s.nothing = "the backup holds no document: its run deleted nothing"
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.fr.Records, s.fr.TornBytes, s.fr.Superseded = n, torn, n-len(s.last)
	if !opt.AllowShort {
		if err := checkLength(path, n, torn); err != nil {
			return s, err
		}
	}
	return s, nil
}

// checkLength holds a backup to its manifest. A run that did not end (running: its process
// died; failed) may leave a torn last record, whose batch was never deleted. A run that ended
// never does, and its backup holds every record its manifest counts: a shorter file, or one
// cut inside a record, lost documents that were deleted, and is refused rather than restored
// as if it were whole. Without a manifest there is nothing to hold the file to.
func checkLength(path string, records int, torn int64) error {
	m, err := ReadManifest(manifestPath(path))
	if err != nil {
		return nil
	}
	interrupted := m.Status == RunRunning || m.Status == RunFailed
	short := records < m.Counts.BackedUp
	if interrupted && !short || !interrupted && torn == 0 && !short {
		return nil
	}
	what := fmt.Sprintf("backup %s holds %d records, and its manifest says %d were backed up", path, records, m.Counts.BackedUp)
	if torn > 0 {
		what += fmt.Sprintf("; it ends %d bytes into a record", torn)
	}
	if interrupted {
		return fmt.Errorf("%s: the file was cut short, and documents it held are missing (they were deleted). "+
			"Restore what it holds with --allow-short, and look for the rest in a copy of the file", what)
	}
	return fmt.Errorf("%s, but its run %s, so the file cannot end in a torn write: it was cut short or damaged, "+
		"and documents it held are missing. Restore what it holds with --allow-short, and look for the rest in a copy of the file", what, m.Status)
}

// restoreRun is the second pass of a restore, over its files: batches, pace, progress.
type restoreRun struct {
	c       *Client
	opt     RestoreOptions
	pacer   *pacer // nil in a dry run
	started time.Time
	total   int // documents to put back (the last copy of each), over every file
	done    int // of those, handled: inserted, found in place, refused
}

// file inserts the last copy of each document of one backup, in batches of at most BatchSize
// documents (or a rate slice's worth) and RestoreBatchBytes bytes. Between batches it pauses as
// the Pace says, and stops at a cancel with ErrRestoreInterrupted; the batch in flight
// finishes first, on a context of its own.
func (rr *restoreRun) file(ctx context.Context, s *restoreScan) (model.RestoreFile, error) {
	fr := s.fr
	coll := rr.c.primary(fr.NS)
	limit := rr.opt.BatchSize
	if rr.pacer != nil {
		limit = rr.pacer.batchDocs(limit)
	}
	var batch []bson.Raw
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if rr.pacer != nil {
			if err := rr.pacer.before(ctx, len(batch)); err != nil {
				return ErrRestoreInterrupted
			}
		}
		if ctx.Err() != nil {
			return ErrRestoreInterrupted
		}
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ExecBatchTimeout)
		before := fr.Inserted + len(fr.Existing) + len(fr.Failed)
		err := rr.c.restoreBatch(bctx, coll, fr.NS, batch, s.dry, rr.opt.DryRun, &fr)
		cancel()
		rr.done += fr.Inserted + len(fr.Existing) + len(fr.Failed) - before
		rr.progress("")
		batch, size = batch[:0], 0
		return err
	}
	_, _, err := eachRecord(fr.Path, func(i int, doc bson.Raw) error {
		if s.last[idKey(doc)] != i {
			return nil
		}
		if len(batch) > 0 && size+len(doc) > rr.opt.batchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, doc)
		size += len(doc)
		if len(batch) >= limit {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return fr, err
}

// progress reports the restore's counts; paused says why it waits, or "".
func (rr *restoreRun) progress(paused string) {
	if rr.opt.Progress == nil {
		return
	}
	p := model.Progress{DocsDeleted: rr.done, DocsTotal: rr.total, Elapsed: time.Since(rr.started), Paused: paused, MaxRate: rr.opt.Pace.MaxRate}
	if rr.pacer != nil {
		p.Pauses = rr.pacer.pauses
	}
	rr.opt.Progress(p)
}

// restoreBatch inserts the documents of a batch whose _id is not in the collection. A dry run
// counts them instead, less those its unique check predicts refused, and less those an earlier
// backup of the run is predicted to have put back.
func (c *Client) restoreBatch(ctx context.Context, coll *mongo.Collection, ns model.Namespace, docs []bson.Raw, ds *dryState, dry bool, fr *model.RestoreFile) error {
	if len(docs) == 0 {
		return nil
	}
	ids := make(bson.A, len(docs))
	for i, d := range docs {
		ids[i] = d.Lookup("_id")
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(int32(len(docs))).SetComment(c.comment()))
	if err != nil {
		return c.wrap("read "+ns.String(), err)
	}
	exists := map[string]bool{}
	for cur.Next(ctx) {
		exists[idKey(cur.Current)] = true
	}
	err = cur.Err()
	cur.Close(ctx)
	if err != nil {
		return c.wrap("read "+ns.String(), err)
	}
	var todo []bson.Raw
	for _, d := range docs {
		if id := idKey(d); exists[id] || (dry && ds.planned[id]) {
			fr.Existing = append(fr.Existing, model.Value(id))
			continue
		}
		todo = append(todo, d)
	}
	if len(todo) == 0 {
		return nil
	}
	if dry {
		var refused []*model.RestoreFailed
		if ds.uc != nil {
			if refused, err = ds.uc.check(ctx, c, coll, todo); err != nil {
				return err
			}
		}
		for i, d := range todo {
			if i < len(refused) && refused[i] != nil {
				fr.Failed = append(fr.Failed, *refused[i])
				continue
			}
			ds.planned[idKey(d)] = true
			fr.Inserted++
		}
		return nil
	}
	return c.insertBatch(ctx, coll, ns, todo, fr)
}

// insertBatch inserts documents unordered, so one refusal does not stop the others, and
// accounts for each refusal with the server's reason.
// A batch of large documents goes in commands of at most writeBytes, as the executor's deletes:
// the driver holds a command's documents twice while it sends it.
func (c *Client) insertBatch(ctx context.Context, coll *mongo.Collection, ns model.Namespace, todo []bson.Raw, fr *model.RestoreFile) error {
	for len(todo) > 0 {
		n, size := 1, len(todo[0])
		for n < len(todo) && size+len(todo[n]) <= writeBytes {
			size += len(todo[n])
			n++
		}
		if err := c.insertChunk(ctx, coll, ns, todo[:n], fr); err != nil {
			return err
		}
		todo = todo[n:]
	}
	return nil
}

// insertChunk is one InsertMany of insertBatch.
func (c *Client) insertChunk(ctx context.Context, coll *mongo.Collection, ns model.Namespace, todo []bson.Raw, fr *model.RestoreFile) error {
	docs := make([]any, len(todo))
	for i, d := range todo {
		docs[i] = d
	}
	_, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false).SetComment(c.comment()))
	var bwe mongo.BulkWriteException
	if err != nil && !(errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0) {
		return c.wrap("restore into "+ns.String(), err)
	}
	failed := map[int]bool{}
	for _, we := range bwe.WriteErrors {
		failed[we.Index] = true
		id := idValue(todo[we.Index])
		if we.Code == 11000 && isIDDup(we.Message) {
			// Inserted by someone else since the check: it exists, and it was not overwritten.
			fr.Existing = append(fr.Existing, id)
			continue
		}
		msg := scrub(we.Message, c.secret)
		fr.Failed = append(fr.Failed, model.RestoreFailed{ID: id, Error: msg, Index: dupIndex(we.Code, msg)})
		if we.Code == 11000 && !strings.Contains(msg, "E11000") {
			// DocumentDB words it its own way; the code is what users search for.
			fr.Failed[len(fr.Failed)-1].Error = "E11000 " + msg
		}
	}
	// InsertedIDs lists every document sent, refused ones too: count from the errors.
	fr.Inserted += len(todo) - len(failed)
	return nil
}

// idDup recognises an E11000 on the _id index, as opposed to another unique index: MongoDB's
// "index: _id_ dup key" (or "index: _id " before 3.4), FerretDB's "Index '_id_'".
var idDup = regexp.MustCompile(`index: _id_? |Index '_id_'`)

// docdbIndex is the index DocumentDB's duplicate-key message names.
var docdbIndex = regexp.MustCompile(`Index '([^']+)'`)

// dupIndex is the unique index a duplicate-key error names, or "".
func dupIndex(code int, msg string) string {
	if code != 11000 {
		return ""
	}
	if dup, err := model.ParseE11000(msg); err == nil && dup.Index != "" {
		return dup.Index
	}
	if m := docdbIndex.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

// isIDDup tells a duplicate _id from a duplicate on another unique index.
func isIDDup(msg string) bool {
	return idDup.MatchString(msg)
}
