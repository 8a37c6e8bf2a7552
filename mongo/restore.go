package mongo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RestoreBatch is how many backed-up documents one restore round trip checks and inserts.
const RestoreBatch = 1000

// RestoreOptions tune a restore.
type RestoreOptions struct {
	// NS, when set, overrides the namespace recorded in the manifest beside each backup
	// (needed for a .bson file that has no manifest).
	NS model.Namespace
	// DryRun only counts what would be inserted and what already exists; it writes nothing.
	DryRun bool
	// BatchSize is documents per round trip; RestoreBatch when 0.
	BatchSize int
}

// Restore re-inserts backed-up documents that are not in their collection. path is a backup
// (.bson) or a directory of backups, each with its manifest. A document whose _id exists is
// never overwritten: it is reported. A backup damaged anywhere but in a torn last record is
// refused before anything is inserted. A dry run only reads, so it is allowed read-only.
func (c *Client) Restore(ctx context.Context, path string, opt RestoreOptions) (model.RestoreReport, error) {
	rep := model.RestoreReport{DryRun: opt.DryRun}
	if c.readOnly && !opt.DryRun {
		return rep, ErrReadOnly
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = RestoreBatch
	}
	if !opt.DryRun {
		// One InsertMany per batch: the engine must take that many statements in a command.
		e, err := c.Engine(ctx)
		if err != nil {
			return rep, err
		}
		opt.BatchSize = min(opt.BatchSize, e.MaxWriteBatch)
	}
	files, err := backupFiles(path)
	if err != nil {
		return rep, err
	}
	// Resolve every namespace first, so a missing manifest stops the restore before it starts.
	nss := make([]model.Namespace, len(files))
	for i, f := range files {
		if nss[i], err = backupNS(f, opt.NS); err != nil {
			return rep, err
		}
	}
	for i, f := range files {
		fr, err := c.restoreFile(ctx, f, nss[i], opt)
		if err == nil {
			// The keepers a merging run updated get their before-images back (restore_merge.go).
			fr.Keepers, err = c.restoreKeepers(ctx, f, nss[i], opt)
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

// backupFiles lists the backups a path names.
func backupFiles(path string) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", path, err)
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	files, err := filepath.Glob(filepath.Join(globEscape(path), "*.bson"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("backup directory %s holds no .bson backup", path)
	}
	sort.Strings(files)
	return files, nil
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

// restoreFile restores one backup: a first pass checks the whole file and finds the last copy
// of each document, a second inserts those copies in batches.
func (c *Client) restoreFile(ctx context.Context, path string, ns model.Namespace, opt RestoreOptions) (model.RestoreFile, error) {
	fr := model.RestoreFile{Path: path, NS: ns}
	if col, err := c.Collection(ctx, ns); err == nil {
		if col.Type != model.TypeCollection || col.System() {
			return fr, fmt.Errorf("cannot restore into %s: %w", ns, col.CanDelete())
		}
	}
	last := map[string]int{}
	n, torn, err := eachRecord(path, func(i int, doc bson.Raw) error {
		last[idKey(doc)] = i
		return nil
	})
	if err != nil {
		return fr, err
	}
	fr.Records, fr.TornBytes, fr.Superseded = n, torn, n-len(last)

	coll := c.primary(ns)
	var batch []bson.Raw
	flush := func() error {
		err := c.restoreBatch(ctx, coll, ns, batch, opt.DryRun, &fr)
		batch = batch[:0]
		return err
	}
	_, _, err = eachRecord(path, func(i int, doc bson.Raw) error {
		if last[idKey(doc)] != i {
			return nil
		}
		batch = append(batch, doc)
		if len(batch) >= opt.BatchSize {
			return flush()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	return fr, err
}

// eachRecord calls fn for every record of a backup. A torn last record is skipped and its
// size returned; any other damage is an error.
func eachRecord(path string, fn func(i int, doc bson.Raw) error) (int, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	br := NewBackupReader(f, path)
	for i := 0; ; i++ {
		doc, err := br.Next()
		if err == io.EOF {
			return i, 0, nil
		}
		if errors.Is(err, ErrTruncated) {
			return i, st.Size() - br.Offset(), nil
		}
		if err != nil {
			return i, 0, err
		}
		if err := fn(i, doc); err != nil {
			return i, 0, err
		}
	}
}

// restoreBatch inserts the documents of a batch whose _id is not in the collection.
func (c *Client) restoreBatch(ctx context.Context, coll *mongo.Collection, ns model.Namespace, docs []bson.Raw, dry bool, fr *model.RestoreFile) error {
	if len(docs) == 0 {
		return nil
	}
	ids := make(bson.A, len(docs))
	for i, d := range docs {
		ids[i] = d.Lookup("_id")
	}
	cur, err := coll.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(int32(len(docs))))
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
	var todo []any
	var todoIDs []model.Value
	for _, d := range docs {
		id := idKey(d)
		if exists[id] {
			fr.Existing = append(fr.Existing, model.Value(id))
			continue
		}
		todo = append(todo, d)
		todoIDs = append(todoIDs, model.Value(id))
	}
	if len(todo) == 0 {
		return nil
	}
	if dry {
		fr.Inserted += len(todo)
		return nil
	}
	_, err = coll.InsertMany(ctx, todo, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	if err != nil && !(errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0) {
		return c.wrap("restore into "+ns.String(), err)
	}
	failed := map[int]bool{}
	for _, we := range bwe.WriteErrors {
		failed[we.Index] = true
		id := todoIDs[we.Index]
		if we.Code == 11000 && isIDDup(we.Message) {
			// Inserted by someone else since the check: it exists, and it was not overwritten.
			fr.Existing = append(fr.Existing, id)
			continue
		}
		fr.Failed = append(fr.Failed, model.RestoreFailed{ID: id, Error: scrub(we.Message, c.secret)})
	}
	// InsertedIDs lists every document sent, refused ones too: count from the errors.
	fr.Inserted += len(todo) - len(failed)
	return nil
}

// idDup recognises an E11000 on the _id index, as opposed to another unique index: MongoDB's
// "index: _id_ dup key" (or "index: _id " before 3.4), FerretDB's "Index '_id_'".
var idDup = regexp.MustCompile(`index: _id_? |Index '_id_'`)

// isIDDup tells a duplicate _id from a duplicate on another unique index.
func isIDDup(msg string) bool {
	return idDup.MatchString(msg)
}
