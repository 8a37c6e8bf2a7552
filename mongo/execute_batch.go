package mongo

import (
	"context"
	"errors"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// work is one group's part of a batch's delete: the members that passed the re-read.
type work struct {
	group int
	ids   []model.Value
}

// batch handles groups [start, end): re-read, decide, back up, delete, account.
func (r *execRun) batch(ctx context.Context, start, end int) error {
	clear(r.filtered)
	var ids []model.Value
	for _, g := range r.plan.Groups[start:end] {
		ids = append(ids, g.Keep)
		ids = append(ids, g.Delete...)
	}
	docs, err := r.reread(ctx, ids, nil)
	if err == nil && len(r.guard.extra) > 0 {
		// The Go check cannot evaluate query filters: ask the server which members still
		// pass them, and forget the others.
		var in map[model.Value]bson.Raw
		in, err = r.reread(ctx, ids, r.guard.extra)
		for id := range docs {
			if _, ok := in[id]; !ok {
				r.filtered[id] = true
			}
		}
	}
	if err != nil {
		r.failAll(start, end, "re-read failed, nothing deleted: "+err.Error())
		return err
	}

	var todo []work
	var toBackup []bson.Raw
	for i := start; i < end; i++ {
		w, back := r.decide(i, docs)
		if len(w.ids) > 0 {
			todo = append(todo, w)
			toBackup = append(toBackup, back...)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if err := r.backup.Append(toBackup); err != nil {
		for _, w := range todo {
			r.failGroup(w.group, err.Error())
		}
		return err
	}
	r.rep.BackedUp += len(toBackup)
	return r.delete(ctx, todo)
}

// reread fetches documents by _id from the primary, keyed by canonical _id; with a filter,
// only those that pass it, and only their _id.
func (r *execRun) reread(ctx context.Context, ids []model.Value, filter bson.D) (map[model.Value]bson.Raw, error) {
	in, err := rawValues(ids)
	if err != nil {
		return nil, err
	}
	q := bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}}
	opts := options.Find().SetBatchSize(int32(len(ids)))
	if filter != nil {
		q = bson.D{{Key: "$and", Value: bson.A{q, filter}}}
		opts.SetProjection(bson.D{{Key: "_id", Value: 1}})
	}
	cur, err := r.coll.Find(ctx, q, opts)
	if err != nil {
		return nil, r.c.wrap("re-read documents of "+r.plan.NS.String(), err)
	}
	defer cur.Close(context.WithoutCancel(ctx))
	docs := make(map[model.Value]bson.Raw, len(ids))
	for cur.Next(ctx) {
		d := append(bson.Raw(nil), cur.Current...)
		docs[value(d.Lookup("_id"))] = d
	}
	if err := cur.Err(); err != nil {
		return nil, r.c.wrap("re-read documents of "+r.plan.NS.String(), err)
	}
	return docs, nil
}

// decide compares one group with its re-read documents: what to delete, what to back up
// (what the backup does not already hold exactly), and why the rest is skipped.
func (r *execRun) decide(i int, docs map[model.Value]bson.Raw) (work, []bson.Raw) {
	g := r.plan.Groups[i]
	res := &r.rep.Groups[i]
	*res = model.GroupResult{Group: i}
	groupReason := ""
	if k, ok := docs[g.Keep]; !ok {
		groupReason = ReasonKeeperGone
	} else if !r.guard.matches(k, g.Key) || r.filtered[g.Keep] {
		groupReason = ReasonKeeperChanged
	}
	w := work{group: i}
	var back []bson.Raw
	for _, id := range g.Delete {
		d, ok := docs[id]
		switch {
		case !ok && r.backup.holds(string(id)):
			res.Earlier++
		case !ok:
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: ReasonGone})
		case groupReason != "":
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: groupReason})
		case !r.guard.matches(d, g.Key):
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: ReasonKeyChanged})
		case r.filtered[id]:
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: ReasonFiltered})
		default:
			w.ids = append(w.ids, id)
			if !r.backup.has(d) {
				back = append(back, d)
			}
		}
	}
	r.outcome(i, len(w.ids))
	return w, back
}

// delete sends one guarded deleteMany per group, all in one unordered bulk write (one round
// trip), and accounts for what went.
func (r *execRun) delete(ctx context.Context, todo []work) error {
	models := make([]mongo.WriteModel, len(todo))
	want := 0
	for k, w := range todo {
		f, err := r.guard.filter(w.ids, r.plan.Groups[w.group].Key)
		if err != nil { // checked before the run started; kept for safety
			return err
		}
		models[k] = mongo.NewDeleteManyModel().SetFilter(f)
		want += len(w.ids)
	}
	res, err := r.coll.BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
	failed := map[int]string{}
	var bwe mongo.BulkWriteException
	stop := err
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0 {
		// Errors of single statements: those groups failed, the run goes on.
		for _, we := range bwe.WriteErrors {
			failed[we.Index] = r.c.wrap("delete", we).Error()
		}
		stop = nil
	}
	if err == nil && res != nil && int(res.DeletedCount) == want {
		for _, w := range todo {
			r.rep.Groups[w.group].Deleted += len(w.ids)
			r.outcome(w.group, 0)
		}
		return nil
	}
	// Something differs from the plan: find out which documents are still there.
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ExecBatchTimeout)
	defer cancel()
	var all []model.Value
	for _, w := range todo {
		all = append(all, w.ids...)
	}
	left, verr := r.reread(vctx, all, nil)
	if verr != nil {
		msg := "delete sent but its outcome is unknown (" + r.c.wrap("delete", err).Error() +
			"): every document it may have deleted is in the backup; re-run the plan to finish"
		for _, w := range todo {
			r.failGroup(w.group, msg)
		}
		return r.c.wrap("delete from "+r.plan.NS.String(), err)
	}
	for k, w := range todo {
		res := &r.rep.Groups[w.group]
		for _, id := range w.ids {
			if _, still := left[id]; !still {
				res.Deleted++
				continue
			}
			if msg, bad := failed[k]; bad {
				res.Error = msg
				continue
			}
			if stop != nil {
				res.Error = r.c.wrap("delete", stop).Error()
				continue
			}
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: ReasonRaced})
		}
		r.outcome(w.group, 0)
	}
	if stop != nil {
		return r.c.wrap("delete from "+r.plan.NS.String(), stop)
	}
	return nil
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
		r.rep.Groups[i] = model.GroupResult{Group: i}
		r.failGroup(i, msg)
	}
}
