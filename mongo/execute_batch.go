package mongo

import (
	"context"
	"errors"
	"maps"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// work is one group's part of a batch's delete: the members that passed the re-read, as they
// were read (and backed up). The guard deletes each only if it is still exactly that.
type work struct {
	group int
	docs  []bson.Raw
}

// batch handles groups [start, end): re-read, decide, back up, delete, account. It returns
// where the batch ended: sooner than end when the documents passed the byte cap (readBatch).
func (r *execRun) batch(ctx context.Context, start, end int) (int, error) {
	docs, cut, err := r.readBatch(ctx, start, end)
	if err != nil {
		r.failAll(start, end, "re-read failed, nothing deleted: "+err.Error())
		return end, err
	}
	end = cut

	var todo []work
	var toBackup []bson.Raw
	for i := start; i < end; i++ {
		w, back := r.decide(i, docs)
		if len(w.docs) > 0 {
			todo = append(todo, w)
			toBackup = append(toBackup, back...)
		}
	}
	if len(todo) == 0 {
		return end, nil
	}
	if err := r.backup.Append(toBackup); err != nil {
		for _, w := range todo {
			r.failGroup(w.group, err.Error())
		}
		return end, err
	}
	r.rep.BackedUp += len(toBackup)
	// A merging plan updates each keeper (guarded) before its members go.
	if todo, err = r.mergeKeepers(ctx, todo, docs); err != nil || len(todo) == 0 {
		return end, err
	}
	return end, r.delete(ctx, todo)
}

// initialDocEstimate is the size a run assumes of a document before it has read any: a
// guess that a batch of small documents is read in one find. Larger documents are found out
// by the first read, which then stops at the byte cap (readBatch).
const initialDocEstimate = 4 << 10

// errOverBudget stops a re-read whose documents passed the bytes it was given.
var errOverBudget = errors.New("the batch's documents passed its byte cap")

// readBatch re-reads the documents of groups [start, end), keepers and members, in finds of
// whole groups sized by the mean document read so far, and stops once they pass the byte cap
// (ExecOptions.batchBytes). It returns them by canonical _id, and where the batch ends: the
// groups read whole, at least the first one, which is read whole whatever its size.
//
// A find that passes the bytes left is abandoned mid-cursor: the batch then ends before its
// groups, or, when they are the batch's first, its first group is read alone. So the batch
// holds at most the cap, one cursor reply and one document more (or one group).
func (r *execRun) readBatch(ctx context.Context, start, end int) (map[model.Value]bson.Raw, int, error) {
	clear(r.filtered)
	docs := map[model.Value]bson.Raw{}
	size := 0
	alone := false // the first group is read by itself, whole
	for i := start; i < end; {
		if i > start && size >= r.opt.batchBytes {
			return docs, i, nil
		}
		j, limit := i+1, 0
		if !alone {
			j = r.chunkEnd(i, end, r.opt.batchBytes-size)
			limit = r.opt.batchBytes - size
		}
		got, n, err := r.reread(ctx, r.groupIDs(i, j), limit)
		switch {
		case errors.Is(err, errOverBudget) && i > start:
			return docs, i, nil
		case errors.Is(err, errOverBudget):
			alone = true
			continue
		case err != nil:
			return nil, end, err
		}
		maps.Copy(docs, got)
		size += n
		alone = false
		i = j
	}
	return docs, end, nil
}

// chunkEnd takes groups from i until their documents, at the mean size read so far, would
// pass room (at least one group).
func (r *execRun) chunkEnd(i, end, room int) int {
	avg := float64(initialDocEstimate)
	if r.read.docs > 0 {
		avg = float64(r.read.bytes) / float64(r.read.docs)
	}
	j, n := i, 0.0
	for j < end {
		m := float64(1+len(r.plan.Groups[j].Delete)) * avg
		if j > i && n+m > float64(room) {
			break
		}
		n += m
		j++
	}
	return j
}

// groupIDs lists the keepers and members of groups [i, j).
func (r *execRun) groupIDs(i, j int) []model.Value {
	var ids []model.Value
	for _, g := range r.plan.Groups[i:j] {
		ids = append(ids, g.Keep)
		ids = append(ids, g.Delete...)
	}
	return ids
}

// reread fetches documents by _id from the primary, keyed by canonical _id, with their bytes.
// With limit > 0 it stops with errOverBudget once they pass limit.
//
// Under a filter (the user's --filter, the index's partial filter), which only the server can
// evaluate, the documents come from a read with that filter, and those that exist but no
// longer pass it go into r.filtered (with only their _id). So the version the guard later
// deletes is one the server saw pass the filter; as the guard deletes it only if it is still
// exactly that version, the delete itself need not repeat the filter.
func (r *execRun) reread(ctx context.Context, ids []model.Value, limit int) (map[model.Value]bson.Raw, int, error) {
	if len(r.guard.extra) == 0 {
		return r.find(ctx, ids, nil, false, limit)
	}
	all, _, err := r.find(ctx, ids, nil, true, 0)
	if err != nil {
		return nil, 0, err
	}
	docs, n, err := r.find(ctx, ids, r.guard.extra, false, limit)
	if err != nil {
		return nil, 0, err
	}
	for id, d := range all {
		if _, ok := docs[id]; !ok {
			r.filtered[id] = true
			docs[id] = d
		}
	}
	return docs, n, nil
}

// replyBytes bounds one cursor reply of a re-read, by asking for fewer documents per batch
// when they are large: the driver holds a whole reply while the run copies its documents out,
// so a reply of 16 MiB would double a batch's bytes for a moment.
const replyBytes = 2 << 20

// replyDocs is the cursor batch size for a find of n documents: all of them, unless the mean
// document read so far says they would pass replyBytes.
func (r *execRun) replyDocs(n int) int { return replyDocs(n, r.read.docs, r.read.bytes) }

// replyDocs is the cursor batch size for a find of n documents after docs documents of bytes
// in all were read: all n, unless at their mean size they would pass replyBytes.
func replyDocs(n int, docs, bytes int64) int {
	if docs == 0 {
		return n
	}
	avg := bytes / docs
	return int(max(1, min(int64(n), replyBytes/max(avg, 1))))
}

// find reads documents by _id, keyed by canonical _id, and counts their bytes; with a filter
// only those that pass it; with idOnly only their _id; with limit > 0 it gives up with
// errOverBudget once their bytes pass limit. Every whole document read counts towards the
// mean size that sizes later reads.
func (r *execRun) find(ctx context.Context, ids []model.Value, filter bson.D, idOnly bool, limit int) (map[model.Value]bson.Raw, int, error) {
	in, err := rawValues(ids)
	if err != nil {
		return nil, 0, err
	}
	q := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}}
	if filter != nil {
		q = bson.D{{Key: "$and", Value: bson.A{q, filter}}}
	}
	// The run's first read asks for one document first: its size then sizes the replies to
	// come (replyDocs), where the server would otherwise fill its first reply up to 16 MiB.
	first := r.read.docs == 0 && !idOnly
	batch := r.replyDocs(len(ids))
	if first {
		batch = 1
	}
	opts := options.Find().SetBatchSize(int32(batch)).SetComment(r.c.comment())
	if idOnly {
		opts.SetProjection(bson.D{{Key: "_id", Value: 1}})
	}
	cur, err := r.coll.Find(ctx, q, opts)
	if err != nil {
		return nil, 0, r.c.wrap("re-read documents of "+r.plan.NS.String(), err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	docs := make(map[model.Value]bson.Raw, len(ids))
	n := 0
	for cur.Next(ctx) {
		d := append(bson.Raw(nil), cur.Current...)
		docs[value(d.Lookup("_id"))] = d
		n += len(d)
		if !idOnly {
			r.read.docs++
			r.read.bytes += int64(len(d))
		}
		if first {
			first = false
			cur.SetBatchSize(int32(r.replyDocs(len(ids))))
		}
		if limit > 0 && n > limit {
			return nil, 0, errOverBudget
		}
	}
	if err := cur.Err(); err != nil {
		return nil, 0, r.c.wrap("re-read documents of "+r.plan.NS.String(), err)
	}
	return docs, n, nil
}

// decide compares one group with its re-read documents: what to delete, what to back up
// (what the backup does not already hold exactly), and why the rest is skipped.
func (r *execRun) decide(i int, docs map[model.Value]bson.Raw) (work, []bson.Raw) {
	g := r.plan.Groups[i]
	res := &r.rep.Groups[i]
	*res = model.GroupResult{Group: r.done.groups + i}
	groupReason := ""
	var keeperKeys []model.IndexKey
	if k, ok := docs[g.Keep]; !ok {
		groupReason = ReasonKeeperGone
	} else if r.filtered[g.Keep] {
		groupReason = ReasonKeeperChanged
	} else if keys, err := r.guard.keys(k); err != nil {
		groupReason = ReasonUnkeyable
	} else if !r.guard.holds(keys, g.Key) {
		groupReason = ReasonKeeperChanged
	} else if r.disjoint && len(keys) > 1 {
		groupReason = ReasonMultikey
	} else if r.plan.Merge != nil && g.KeepFingerprint != "" && model.FingerprintOf(k) != g.KeepFingerprint {
		// A merge writes into the keeper what was approved from the version planned; a
		// delete-only plan needs of its keeper only that it still holds the key.
		groupReason = ReasonKeeperChangedSincePlan
	} else {
		keeperKeys = keys
	}
	w := work{group: i}
	var back []bson.Raw
	skip := func(id model.Value, reason string) {
		res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: reason})
	}
	for j, id := range g.Delete {
		d, ok := docs[id]
		switch {
		case !ok && r.backup.holds(string(id)):
			res.Earlier++
		case !ok:
			skip(id, ReasonGone)
		case groupReason != "":
			skip(id, groupReason)
		case r.filtered[id]:
			skip(id, ReasonFiltered)
		default:
			keys, err := r.guard.keys(d)
			switch {
			case err != nil:
				skip(id, ReasonUnkeyable)
			case !r.guard.spec.Collide(keeperKeys, keys):
				skip(id, ReasonKeyChanged)
			case r.disjoint && len(keys) > 1:
				skip(id, ReasonMultikey)
			case g.DeleteFingerprints != nil && model.FingerprintOf(d) != g.DeleteFingerprints[j]:
				skip(id, ReasonChangedSincePlan)
			case tooLargeToGuard(d):
				skip(id, ReasonTooLarge)
			default:
				w.docs = append(w.docs, d)
				if !r.backup.has(d) {
					back = append(back, d)
				}
			}
		}
	}
	r.outcome(i, len(w.docs))
	return w, back
}

// outcome sets a group's outcome from its counts; pending is how many deletes are still to
// be sent for it.
func (r *execRun) outcome(i, pending int) {
	res := &r.rep.Groups[i]
	planned := len(r.plan.Groups[i].Delete)
	done := res.Deleted + res.Earlier
	switch {
	case res.Error != "":
		res.Outcome = model.Failed
	case pending > 0:
		res.Outcome = model.NotReached
	case done == planned:
		res.Outcome = model.Deleted
	case done > 0:
		res.Outcome = model.Partial
	default:
		res.Outcome = model.Skipped
	}
}

func (r *execRun) failGroup(i int, msg string) {
	r.rep.Groups[i].Error = msg
	r.rep.Groups[i].Outcome = model.Failed
}

func (r *execRun) failAll(start, end int, msg string) {
	for i := start; i < end; i++ {
		r.rep.Groups[i] = model.GroupResult{Group: r.done.groups + i}
		r.failGroup(i, msg)
	}
}
