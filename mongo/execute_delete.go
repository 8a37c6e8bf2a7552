package mongo

import (
	"context"
	"errors"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// maxWriteOps is the most statements one write command may carry. DocumentDB refuses more
// than 25 000 (MongoDB takes 100 000) while advertising 100 000, so the driver would not
// split a larger bulk write by itself.
const maxWriteOps = 25000

// A batch of ExecBatchDocs small documents fits one write command: one round trip per batch.
// (This line does not compile if ExecBatchDocs ever exceeds maxWriteOps.) A batch of large
// documents, or a single group larger than that, takes more than one command (writeBytes).
const _ = uint(maxWriteOps - ExecBatchDocs)

// maxStatement is the largest delete statement the guard sends: MongoDB's document limit. A
// statement carries the whole document it guards, so a document within a few bytes of 16 MiB
// cannot be guarded; it is skipped (ReasonTooLarge) rather than deleted unguarded.
const maxStatement = 16 * 1024 * 1024

// guardFilter deletes doc only if it is still exactly doc: same _id (found through the _id
// index) and every field equal, in order, as the server compares documents. The server checks
// this atomically with the delete, so a document changed since it was read and backed up is
// never deleted. The key's own conditions (and the --filter and partial filter) need no
// repeating here: the document was checked against them as read, and is deleted only unchanged.
// A plain {_id: x} is safe: an _id is never an array or a regular expression, nor a document
// of $-prefixed fields, the only values that would not mean equality. $eq finds numbers of
// one value equal whatever their type: numberTypes adds what tells them apart. A fence, when
// not zero, is the latest the statement may match (fence).
func guardFilter(doc bson.Raw, fence time.Time) bson.D {
	same := bson.D{{Key: "$eq", Value: bson.A{"$$ROOT", bson.D{{Key: "$literal", Value: doc}}}}}
	expr := same
	if !fence.IsZero() {
		expr = bson.D{{Key: "$and", Value: bson.A{same, bson.D{{Key: "$lt", Value: bson.A{"$$NOW", fence}}}}}}
	}
	return append(bson.D{{Key: "_id", Value: doc.Lookup("_id")}, {Key: "$expr", Value: expr}}, numberTypes(doc)...)
}

// fence is the time after which a write of the batch running under ctx must not happen: the
// batch's deadline (lease.batchDeadline), which ends before another run may take the lease.
// The server's maxTimeMS counts from when a command arrives, so it cannot stop a write held
// up in the network; the guard's $$NOW test does, where the engine has it (NowInWrites).
// Zero where it does not: a write cut off in the network is then reported as in flight and
// the lease left to expire (execRun.inFlight).
func (r *execRun) fence(ctx context.Context) time.Time {
	d, ok := ctx.Deadline()
	if e, err := r.c.Engine(ctx); !ok || err != nil || !e.NowInWrites {
		return time.Time{}
	}
	return d
}

// guardedDelete is the statement that deletes doc under the guard. simple: the collection
// has a default collation, under which $eq would find "A" equal to "a"; the statement then
// asks for binary comparison. (Only then: FerretDB refuses any collation on a delete, and
// has no default collations.)
func guardedDelete(doc bson.Raw, simple bool, fence time.Time) *mongo.DeleteOneModel {
	m := mongo.NewDeleteOneModel().SetFilter(guardFilter(doc, fence))
	if simple {
		m.SetCollation(&options.Collation{Locale: "simple"})
	}
	return m
}

// tooLargeToGuard reports whether doc's guarded delete statement would pass maxStatement.
func tooLargeToGuard(doc bson.Raw) bool {
	// The type conditions can be long (a path per number); the rest adds well under 64 KiB:
	// the _id again and a few names.
	if types, err := bson.Marshal(numberTypes(doc)); err == nil && len(doc)+len(types) < maxStatement-64*1024 {
		return false
	}
	stmt, err := bson.Marshal(bson.D{{Key: "q", Value: guardFilter(doc, time.Now())}, {Key: "limit", Value: 1}})
	return err != nil || len(stmt) > maxStatement
}

// writeBytes bounds the documents one delete command carries. The driver holds a command's
// statements twice while it sends it (marshalled, then in the wire message), so a batch of
// large documents goes in commands of a few MiB rather than one of the batch's 16 MiB; a batch
// of small documents still goes in one.
const writeBytes = 2 << 20

// delete sends one guarded deleteOne per document, in unordered bulk writes of at most
// maxWriteOps statements and writeBytes of documents (one round trip for a batch of small
// documents), and accounts for what went.
func (r *execRun) delete(ctx context.Context, todo []work) error {
	type stmt struct {
		w, j int // todo[w].docs[j]
		doc  bson.Raw
		// done: its command deleted every one of its statements' documents, so this one is
		// deleted, and its bytes are let go (of a batch of large documents, the rest are held).
		done bool
	}
	var stmts []stmt
	var models []mongo.WriteModel
	fence := r.fence(ctx)
	for k, w := range todo {
		for j, d := range w.docs {
			models = append(models, guardedDelete(d, r.simple, fence))
			stmts = append(stmts, stmt{w: k, j: j, doc: d})
		}
	}
	failed := map[int]string{} // statement index -> its error
	var stop error
	for lo := 0; lo < len(models); {
		hi := lo + 1
		size := len(stmts[lo].doc)
		for hi < len(models) && hi-lo < maxWriteOps && size+len(stmts[hi].doc) <= writeBytes {
			size += len(stmts[hi].doc)
			hi++
		}
		res, err := r.coll.BulkWrite(ctx, models[lo:hi], options.BulkWrite().SetOrdered(false).SetComment(r.c.comment()))
		var bwe mongo.BulkWriteException
		switch {
		case err == nil && res.DeletedCount == int64(hi-lo):
			for k := lo; k < hi; k++ {
				s := &stmts[k]
				s.done, s.doc, models[k], todo[s.w].docs[s.j] = true, nil, nil, nil
			}
		case err == nil:
			// Fewer deleted than sent: the check below finds which.
		case errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0:
			// Errors of single statements: those groups failed, the run goes on.
			for _, we := range bwe.WriteErrors {
				failed[lo+we.Index] = r.c.wrap("delete", we).Error()
			}
		default:
			// No answer (the network, the deadline): the command may still reach the server,
			// at once or, unfenced, whenever the network lets it go.
			stop, r.inFlight, r.unfenced = err, true, r.unfenced || fence.IsZero()
		}
		if stop != nil {
			break
		}
		lo = hi
	}
	undecided := 0
	for _, s := range stmts {
		if !s.done {
			undecided++
		}
	}
	if undecided == 0 {
		for _, w := range todo {
			r.rep.Groups[w.group].Deleted += len(w.docs)
			r.outcome(w.group, 0)
		}
		return nil
	}
	// Something differs from the plan: find out which documents are still there.
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ExecBatchTimeout)
	defer cancel()
	ids := make([]model.Value, 0, undecided)
	for _, s := range stmts {
		if !s.done {
			ids = append(ids, idOf(s.doc))
		}
	}
	left, _, verr := r.find(vctx, ids, nil, false, 0)
	if verr != nil {
		cause := stop
		if cause == nil {
			cause = errors.New("some statements failed")
		}
		msg := "delete sent but its outcome is unknown (" + r.c.wrap("delete", cause).Error() + "): " + r.unanswered()
		for _, w := range todo {
			r.failGroup(w.group, msg)
		}
		return r.c.wrap("delete from "+r.plan.NS.String(), cause)
	}
	for k, s := range stmts {
		res := &r.rep.Groups[todo[s.w].group]
		if s.done {
			res.Deleted++
			continue
		}
		id := idOf(s.doc)
		now, still := left[id]
		msg, bad := failed[k]
		switch {
		case !still:
			// Gone. A bulk write counts deletions only in total, so one deleted by another
			// writer between the re-read and this statement is counted here too; either way
			// the copy the backup holds is the document as it was deleted.
			res.Deleted++
		case bad:
			res.Error = msg
		case stop != nil:
			res.Error = r.c.wrap("delete", stop).Error() + ": " + r.unanswered()
		case string(now) == string(s.doc):
			// As read, yet the guard did not match it: the server's comparison failed.
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: ReasonUnequal})
		default:
			res.Skipped = append(res.Skipped, model.SkippedDoc{ID: id, Reason: ReasonChanged})
		}
	}
	for _, w := range todo {
		r.outcome(w.group, 0)
	}
	if stop != nil {
		return r.c.wrap("delete from "+r.plan.NS.String(), stop)
	}
	return nil
}

// idOf is a document's _id as the model writes it.
func idOf(doc bson.Raw) model.Value { return value(doc.Lookup("_id")) }

// unanswered says what a delete sent without an answer means for the documents it names.
func (r *execRun) unanswered() string {
	where := "the backup " + r.backup.path
	if r.unfenced {
		return "not answered, so the server may still carry it out later; every document it may delete is in " +
			where + "; re-run the plan to finish, once this run's lease has expired"
	}
	return "every document it may have deleted is in " + where + "; it cannot be carried out past its batch's " +
		"deadline (the guard refuses it), and this run's lease is held until then; re-run the plan to finish"
}
