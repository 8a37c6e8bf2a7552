package mongo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A merging plan (model.Plan.Merge) also writes to the keepers. Per batch, after the members
// to delete are re-read, re-checked and backed up:
//
//  1. each keeper's merge is computed (model.MergeDocs, members in the rule's order) from the
//     keeper and the members as re-read;
//  2. the keeper's before-image and its merged version are appended to the keepers backup
//     (DB.COLL.TIMESTAMP.keepers, one record {_id, before, merged} per update), synced;
//  3. the keeper is replaced by its merged version only if it is still exactly the copy read
//     (guardFilter, the delete's whole-document guard). A keeper changed since the read is
//     left as it is, and nothing of its group is deleted: the group is reported;
//  4. only then are the members deleted, each under its own guard.
//
// A member changed between the keeper's update and its delete stays: the keeper holds what it
// gained from the member's earlier version, and both are reported. Nothing is lost either way;
// restore puts the keeper's before-image back (while the keeper is still the merged version)
// and re-inserts the deleted members.

// KeepersBackup is the manifest's record of the keepers a merging run updated.
type KeepersBackup struct {
	// File holds one BSON record {_id, before, merged} per keeper update, beside the backup.
	File string `json:"file"`
}

// keepersPath is the keepers backup beside a backup: not a .bson file, so that tools (and a
// restore of a directory) reading every .bson as deleted documents leave it alone.
func keepersPath(bsonPath string) string {
	return strings.TrimSuffix(bsonPath, ".bson") + ".keepers"
}

// openKeepers opens the keepers backup of a merging run, continuing an earlier run's.
func (r *execRun) openKeepers() error {
	if r.plan.Merge == nil {
		return nil
	}
	p := keepersPath(r.backup.path)
	if r.opt.backupPath != "" {
		p = keepersPath(filepath.Join(r.opt.BackupDir, filepath.Base(r.opt.backupPath)))
	}
	kf, _, err := openBackup(p, false)
	if errors.Is(err, os.ErrNotExist) {
		kf, _, err = openBackup(p, true)
	}
	if err != nil {
		return fmt.Errorf("keepers backup: %w", err)
	}
	r.keepers = kf
	r.manifest.Keepers = &KeepersBackup{File: filepath.Base(p)}
	return nil
}

func (r *execRun) closeKeepers() {
	if r.keepers != nil {
		r.keepers.Close()
	}
}

// keeperUpdate is one keeper's guarded replacement.
type keeperUpdate struct {
	work   int // index in todo
	id     model.Value
	before bson.Raw
	merged bson.Raw
	gains  []string
}

// mergeKeepers runs steps 1-3 for a batch and returns the work whose deletes may go on:
// groups whose keeper took its merge, or had nothing to gain.
func (r *execRun) mergeKeepers(ctx context.Context, todo []work, docs map[model.Value]bson.Raw) ([]work, error) {
	if r.plan.Merge == nil || len(todo) == 0 {
		return todo, nil
	}
	current := map[model.Value]bson.Raw{} // a keeper of two groups merges twice, in turn
	var ups []keeperUpdate
	var recs []bson.Raw
	for k, w := range todo {
		id := r.plan.Groups[w.group].Keep
		before, ok := current[id]
		if !ok {
			before = docs[id]
		}
		merged, gains, err := r.merge(before, w.docs)
		switch {
		case err != nil:
			r.leaveGroup(todo, k, ReasonMergeFailed+": "+err.Error())
			continue
		case len(gains) == 0:
			continue
		case len(before)+len(merged) > maxStatement-64*1024:
			r.leaveGroup(todo, k, ReasonMergeTooLarge)
			continue
		}
		rec, err := bson.Marshal(bson.D{{Key: "_id", Value: before.Lookup("_id")}, {Key: "before", Value: before}, {Key: "merged", Value: merged}})
		if err != nil {
			r.leaveGroup(todo, k, ReasonMergeFailed+": "+err.Error())
			continue
		}
		current[id] = merged
		ups = append(ups, keeperUpdate{work: k, id: id, before: before, merged: merged, gains: gains})
		recs = append(recs, rec)
	}
	if len(ups) > 0 {
		if err := r.keepers.Append(recs); err != nil {
			for _, w := range todo {
				r.failGroup(w.group, err.Error())
			}
			return nil, err
		}
		if err := r.replaceKeepers(ctx, todo, ups); err != nil {
			return nil, err
		}
	}
	out := todo[:0]
	for _, w := range todo {
		if len(w.docs) > 0 {
			out = append(out, w)
		}
	}
	return out, nil
}

// merge computes a keeper's merge with the members to delete (mergeDocs), and builds the
// merged document from the keeper's own bytes: its fields stay exactly as they are, a gained
// value replaces a null (or an extended array) in place, new fields follow.
func (r *execRun) merge(keeper bson.Raw, members []bson.Raw) (bson.Raw, []string, error) {
	m, err := mergeDocs(r.plan.MergeRule(), *r.plan.Merge, keeper, members)
	if err != nil || len(m.Gains) == 0 {
		return nil, nil, err
	}
	return buildMerged(keeper, m)
}

// mergeDocs is model.MergeDocs on BSON documents, the members taken in the rule's order.
func mergeDocs(rule model.KeepRule, opt model.MergeOptions, keeper bson.Raw, members []bson.Raw) (model.Merged, error) {
	kjs, err := bson.MarshalExtJSON(keeper, true, false)
	if err != nil {
		return model.Merged{}, err
	}
	flat := make([]model.Doc, len(members))
	for i, m := range members {
		if flat[i], err = flatten(m); err != nil {
			return model.Merged{}, err
		}
	}
	var ordered [][]byte
	for _, i := range model.MergeOrder(rule, flat) {
		js, err := bson.MarshalExtJSON(members[i], true, false)
		if err != nil {
			return model.Merged{}, err
		}
		ordered = append(ordered, js)
	}
	return model.MergeDocs(kjs, ordered, opt)
}

// MergePreview is what a merge would make of a group's keeper now: the merged keeper and the
// fields it gains, from the members to delete in the rule's order, as a run computes it (the
// run recomputes it from the documents it re-reads). For the plan's summary and the TUI's
// group view. A document that no longer exists is left out; a keeper that does not is an error.
func (c *Client) MergePreview(ctx context.Context, ns model.Namespace, rule model.KeepRule, opt model.MergeOptions,
	keep model.Value, members []model.Value) (model.Merged, error) {
	in, err := rawValues(append([]model.Value{keep}, members...))
	if err != nil {
		return model.Merged{}, err
	}
	cur, err := c.coll(ns).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}}, options.Find().SetComment(c.comment()))
	if err != nil {
		return model.Merged{}, c.wrap("read documents of "+ns.String(), err)
	}
	defer cur.Close(ctx)
	var keeper bson.Raw
	var docs []bson.Raw
	for cur.Next(ctx) {
		d := append(bson.Raw(nil), cur.Current...)
		if idOf(d) == keep {
			keeper = d
		} else {
			docs = append(docs, d)
		}
	}
	if err := cur.Err(); err != nil {
		return model.Merged{}, c.wrap("read documents of "+ns.String(), err)
	}
	if keeper == nil {
		return model.Merged{}, fmt.Errorf("the keeper %s is no longer in %s", keep.Display(), ns)
	}
	return mergeDocs(rule, opt, keeper, docs)
}

// buildMerged writes the merged keeper in BSON, the keeper's elements as they are.
func buildMerged(keeper bson.Raw, m model.Merged) (bson.Raw, []string, error) {
	inPlace := map[string]model.Value{}
	var names []string
	var appended bson.D
	for _, g := range m.Gains {
		names = append(names, g.Field)
		if g.Was != model.Missing {
			inPlace[g.Field] = g.Value
			continue
		}
		rv, err := rawValue(g.Value)
		if err != nil {
			return nil, nil, err
		}
		appended = append(appended, bson.E{Key: g.Field, Value: rv})
	}
	elems, err := keeper.Elements()
	if err != nil {
		return nil, nil, err
	}
	var d bson.D
	for _, e := range elems {
		k := e.Key()
		if v, ok := inPlace[k]; ok {
			delete(inPlace, k) // the first field of that name, as MergeDocs has it
			rv, err := rawValue(v)
			if err != nil {
				return nil, nil, err
			}
			d = append(d, bson.E{Key: k, Value: rv})
			continue
		}
		d = append(d, bson.E{Key: k, Value: e.Value()})
	}
	out, err := bson.Marshal(append(d, appended...))
	return out, names, err
}

// leaveGroup keeps every member of todo[k] and says why.
func (r *execRun) leaveGroup(todo []work, k int, reason string) {
	w := &todo[k]
	res := &r.rep.Groups[w.group]
	for _, d := range w.docs {
		res.Skipped = append(res.Skipped, model.SkippedDoc{ID: idOf(d), Reason: reason})
	}
	w.docs = nil
	r.outcome(w.group, 0)
}

// replaceKeepers sends the guarded replacements in ordered bulk writes of at most writeBytes
// of documents each (a statement carries its keeper twice, as read and merged), one after the
// other, so a keeper of two groups is replaced twice, in turn; it stops at the first that
// fails, then finds out which took when not all did.
func (r *execRun) replaceKeepers(ctx context.Context, todo []work, ups []keeperUpdate) error {
	models := make([]mongo.WriteModel, len(ups))
	fence := r.fence(ctx)
	for i, u := range ups {
		m := mongo.NewReplaceOneModel().SetFilter(guardFilter(u.before, fence)).SetReplacement(u.merged)
		if r.simple {
			m.SetCollation(&options.Collation{Locale: "simple"})
		}
		models[i] = m
	}
	var matched int64
	var err error
	for lo := 0; lo < len(ups) && err == nil; {
		hi, size := lo+1, len(ups[lo].before)+len(ups[lo].merged)
		for hi < len(ups) && hi-lo < maxWriteOps && size+len(ups[hi].before)+len(ups[hi].merged) <= writeBytes {
			size += len(ups[hi].before) + len(ups[hi].merged)
			hi++
		}
		var res *mongo.BulkWriteResult
		res, err = r.coll.BulkWrite(ctx, models[lo:hi], options.BulkWrite().SetOrdered(true).SetComment(r.c.comment()))
		if err == nil {
			matched += res.MatchedCount
		}
		lo = hi
	}
	if err == nil && matched == int64(len(ups)) {
		r.merged(todo, ups, len(ups))
		return nil
	}
	// Which replacements took: a keeper still equal to a merged version took every step up
	// to that one (each step's guard is the step before).
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ExecBatchTimeout)
	defer cancel()
	ids := make([]model.Value, len(ups))
	for i, u := range ups {
		ids[i] = u.id
	}
	now, _, verr := r.find(vctx, ids, nil, false, 0)
	if verr != nil {
		cause := err
		if cause == nil {
			cause = verr
		}
		msg := "keeper update sent but its outcome is unknown (" + r.c.wrap("update", cause).Error() +
			"): nothing of the group was deleted; the keepers backup holds its before-image"
		for _, u := range ups {
			r.failGroup(todo[u.work].group, msg)
			todo[u.work].docs = nil
		}
		return r.c.wrap("update keepers of "+r.plan.NS.String(), cause)
	}
	took := map[int]bool{}
	for i := len(ups) - 1; i >= 0; i-- {
		u := ups[i]
		if string(now[u.id]) == string(u.merged) {
			took[i] = true
			for j := i - 1; j >= 0; j-- {
				if ups[j].id == u.id {
					took[j] = true
				}
			}
			now[u.id] = nil // earlier steps of this keeper are decided
		}
	}
	n := 0
	for i, u := range ups {
		if took[i] {
			n++
			continue
		}
		if err != nil {
			// The bulk write stopped on a server error: this statement failed or never ran.
			r.failGroup(todo[u.work].group, "keeper update failed, nothing of the group was deleted: "+r.c.wrap("update", err).Error())
			todo[u.work].docs = nil
			continue
		}
		r.leaveGroup(todo, u.work, ReasonKeeperChangedMerge)
	}
	r.merged(todo, ups, n)
	return nil
}

// merged records the keepers that took their merge (those whose work still stands).
func (r *execRun) merged(todo []work, ups []keeperUpdate, n int) {
	for _, u := range ups {
		if todo[u.work].docs != nil {
			res := &r.rep.Groups[todo[u.work].group]
			res.Merged = append(res.Merged, u.gains...)
		}
	}
	r.rep.MergedKeepers += n
}
