package mongo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// ReadModes are the read preference modes --read-preference takes, spelled as in a URI.
var ReadModes = []string{"primary", "primaryPreferred", "secondary", "secondaryPreferred", "nearest"}

// CheckReadPreference says whether mode names a read preference mode (any case); "" (the
// URI's, else primary) is one.
func CheckReadPreference(mode string) error {
	if mode == "" {
		return nil
	}
	if _, err := readpref.ModeFromString(mode); err != nil {
		return fmt.Errorf("%q is not a read preference: want one of %s", mode, strings.Join(ReadModes, ", "))
	}
	return nil
}

// readPreference is the read preference of the client's reads: mode when given, else the
// URI's, else primary. A mode given keeps the URI's tag sets and maxStalenessSeconds, which
// go with any mode but primary.
func readPreference(mode string, uri *readpref.ReadPref) (*readpref.ReadPref, error) {
	if mode == "" {
		if uri == nil {
			return readpref.Primary(), nil
		}
		return uri, nil
	}
	m, err := readpref.ModeFromString(mode)
	if err != nil {
		return nil, CheckReadPreference(mode)
	}
	var opts []readpref.Option
	if uri != nil && m != readpref.PrimaryMode {
		if len(uri.TagSets()) > 0 {
			opts = append(opts, readpref.WithTagSets(uri.TagSets()...))
		}
		if ms, ok := uri.MaxStaleness(); ok {
			opts = append(opts, readpref.WithMaxStaleness(ms))
		}
	}
	return readpref.New(m, opts...)
}

// ReadPreference is the mode the client's reads use (primary, secondaryPreferred…).
func (c *Client) ReadPreference() string { return c.readPref.Mode().String() }

// ErrMaxTime is matched (errors.Is) by every *MaxTimeError.
var ErrMaxTime = errors.New("exceeded --max-time")

// MaxTimeError is a long read that ran past --max-time. It is never a partial answer: the
// read is over, and what it had returned is not to be taken for the whole.
type MaxTimeError struct {
	// What names the read: "the scan of shop.users".
	What string
	// Limit is --max-time.
	Limit time.Duration
	// Server: the server stopped it (maxTimeMS); else dupes did, at its own deadline.
	Server bool
	Err    error
}

func (e *MaxTimeError) Error() string {
	who := "the server stopped it (maxTimeMS)"
	if !e.Server {
		who = fmt.Sprintf("the server had not answered %s later, so dupes stopped waiting (an engine that "+
			"ignores maxTimeMS, or a slow network)", maxTimeGrace(e.Limit))
	}
	return fmt.Sprintf("%s exceeded --max-time %s: %s, and nothing was decided from its partial answer. "+
		"Raise --max-time, narrow the scan with --filter, or read from a secondary (--read-preference secondaryPreferred)",
		e.What, e.Limit, who)
}

func (e *MaxTimeError) Is(target error) bool { return target == ErrMaxTime }

func (e *MaxTimeError) Unwrap() error { return e.Err }

// maxTimeGrace is how long past --max-time dupes waits for the server's own answer before
// it stops the read itself: the limit again, between 100 ms and a second, enough for the
// server's MaxTimeMSExpired to travel back (FerretDB's comes 5 to 20 ms late).
func maxTimeGrace(limit time.Duration) time.Duration {
	return min(max(limit, 100*time.Millisecond), time.Second)
}

// errClientDeadline is the cause of a read cancelled at dupes' own deadline.
var errClientDeadline = errors.New("client-side --max-time deadline")

// readCursor is a long read's cursor. Its command carried the comment and maxTimeMS; each of
// its round trips (the command, every getMore) runs under what is left of the same limit on
// the client as well, since a server counts maxTimeMS over a cursor's life, and an engine that
// ignores it must still end with the same clear error. Next, Err and All replace the driver
// cursor's; Current, Decode, Close and RemainingBatchLength are its own.
type readCursor struct {
	*mongo.Cursor
	c    *Client
	what string
	left time.Duration // of the client-side limit; unused when c.maxTime is 0
	err  error         // a *MaxTimeError that ended the read
}

// readAggregate and readFind are the reads that may go to a secondary (--read-preference):
// the scan, the sample, the members and their fingerprints, the counts of a census. They
// carry the comment and --max-time (maxTimeMS, and the client-side limit of readCursor).
// Every write, the guard's re-read, the check after a run, a restore and the lease use
// primary(ns) instead: a secondary may lag, and a guard that compared with an old version
// would delete a document changed since.
//
// readAggregate runs an aggregate on ns. what names it in a timeout ("the census of
// shop.users"). opts may set the batch size, allowDiskUse, collation, hint and let; its
// comment is replaced by the client's.
func (c *Client) readAggregate(ctx context.Context, ns model.Namespace, what string, pipeline any,
	opts *options.AggregateOptionsBuilder) (*readCursor, error) {
	var o options.AggregateOptions
	if opts != nil {
		for _, set := range opts.List() {
			if err := set(&o); err != nil {
				return nil, err
			}
		}
	}
	cur := bson.D{}
	if o.BatchSize != nil {
		cur = bson.D{{Key: "batchSize", Value: *o.BatchSize}}
	}
	cmd := bson.D{{Key: "aggregate", Value: ns.Coll}, {Key: "pipeline", Value: pipeline}, {Key: "cursor", Value: cur}}
	if o.AllowDiskUse != nil {
		cmd = append(cmd, bson.E{Key: "allowDiskUse", Value: *o.AllowDiskUse})
	}
	cmd = appendCommon(cmd, o.Collation, o.Hint, o.Let)
	return c.readCommand(ctx, ns, what, cmd, o.BatchSize)
}

// readFind is readAggregate for a find: opts may set the projection, sort, skip, limit, batch
// size, collation and hint.
func (c *Client) readFind(ctx context.Context, ns model.Namespace, what string, filter any,
	opts *options.FindOptionsBuilder) (*readCursor, error) {
	var o options.FindOptions
	if opts != nil {
		for _, set := range opts.List() {
			if err := set(&o); err != nil {
				return nil, err
			}
		}
	}
	cmd := bson.D{{Key: "find", Value: ns.Coll}, {Key: "filter", Value: filter}}
	add := func(name string, v any, set bool) {
		if set {
			cmd = append(cmd, bson.E{Key: name, Value: v})
		}
	}
	add("projection", o.Projection, o.Projection != nil)
	add("sort", o.Sort, o.Sort != nil)
	if o.Skip != nil {
		add("skip", *o.Skip, true)
	}
	if o.Limit != nil && *o.Limit != 0 {
		add("limit", max(*o.Limit, -*o.Limit), true)
		add("singleBatch", true, *o.Limit < 0)
	}
	if o.BatchSize != nil {
		add("batchSize", *o.BatchSize, true)
	}
	cmd = appendCommon(cmd, o.Collation, o.Hint, o.Let)
	return c.readCommand(ctx, ns, what, cmd, o.BatchSize)
}

// appendCommon adds the options aggregate and find share.
func appendCommon(cmd bson.D, co *options.Collation, hint, let any) bson.D {
	if co != nil {
		cmd = append(cmd, bson.E{Key: "collation", Value: collationDoc(&model.Collation{Locale: co.Locale,
			Strength: co.Strength, CaseLevel: co.CaseLevel, CaseFirst: co.CaseFirst, NumericOrdering: co.NumericOrdering,
			Alternate: co.Alternate, MaxVariable: co.MaxVariable, Backwards: co.Backwards, Normalization: co.Normalization})})
	}
	if hint != nil {
		cmd = append(cmd, bson.E{Key: "hint", Value: hint})
	}
	if let != nil {
		cmd = append(cmd, bson.E{Key: "let", Value: let})
	}
	return cmd
}

// readCommand sends a cursor command with the comment and maxTimeMS on the client's read
// preference. The driver's Find and Aggregate never send maxTimeMS (it would derive one
// from a context deadline, and omits it for a cursor the caller iterates): the command is
// written here instead, and the context it runs under has no deadline the driver could
// turn into a second maxTimeMS. A network error on the command itself is retried once, as
// the driver's retryable reads do.
func (c *Client) readCommand(ctx context.Context, ns model.Namespace, what string, cmd bson.D, batch *int32) (*readCursor, error) {
	cmd = append(cmd, bson.E{Key: "comment", Value: c.comment()})
	if c.maxTime > 0 {
		cmd = append(cmd, bson.E{Key: "maxTimeMS", Value: max(c.maxTime.Milliseconds(), 1)})
	}
	rc := &readCursor{c: c, what: what, left: c.maxTime + maxTimeGrace(c.maxTime)}
	ropts := options.RunCmd().SetReadPreference(c.readPref)
	db := c.mc.Database(ns.DB)
	var cur *mongo.Cursor
	open := func(ctx context.Context) (err error) {
		cur, err = db.RunCommandCursor(ctx, cmd, ropts)
		return err
	}
	err := rc.within(ctx, open)
	if err != nil && mongo.IsNetworkError(err) && rc.err == nil && ctx.Err() == nil {
		err = rc.within(ctx, open)
	}
	if err != nil {
		return nil, err
	}
	// getMore carries the comment too (the driver sends it from MongoDB 4.4, wire version 9).
	cur.SetComment(c.comment())
	if batch != nil && *batch > 0 {
		cur.SetBatchSize(*batch)
	}
	rc.Cursor = cur
	return rc, nil
}

// Next is the driver cursor's Next, under the limit when it must ask the server.
func (rc *readCursor) Next(ctx context.Context) bool {
	if rc.err != nil {
		return false
	}
	if rc.Cursor.RemainingBatchLength() > 0 || rc.c.maxTime == 0 {
		return rc.Cursor.Next(ctx)
	}
	more := false
	err := rc.within(ctx, func(ctx context.Context) error {
		more = rc.Cursor.Next(ctx)
		return rc.Cursor.Err()
	})
	if err != nil && rc.err == nil {
		rc.err = err
	}
	return more && rc.err == nil
}

// Err is the error that ended the read: a *MaxTimeError when the limit did.
func (rc *readCursor) Err() error {
	if rc.err != nil {
		return rc.err
	}
	return rc.asMaxTime(rc.Cursor.Err())
}

// All decodes every remaining document into results, a pointer to a slice.
func (rc *readCursor) All(ctx context.Context, results *[]bson.Raw) error {
	defer rc.Close(ctx)
	for rc.Next(ctx) {
		*results = append(*results, append(bson.Raw(nil), rc.Current...))
	}
	return rc.Err()
}

// within runs one round trip of the read under what is left of the client-side limit, with
// no deadline on its context (a deadline would become a maxTimeMS of the driver's).
func (rc *readCursor) within(ctx context.Context, fn func(context.Context) error) error {
	if rc.c.maxTime == 0 {
		return rc.asMaxTime(fn(ctx))
	}
	rctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	defer stop()
	if rc.left <= 0 {
		cancel(errClientDeadline)
	}
	t := time.AfterFunc(max(rc.left, 0), func() { cancel(errClientDeadline) })
	start := time.Now()
	err := fn(rctx)
	t.Stop()
	rc.left -= time.Since(start)
	if err != nil && errors.Is(context.Cause(rctx), errClientDeadline) && ctx.Err() == nil {
		rc.err = &MaxTimeError{What: rc.what, Limit: rc.c.maxTime, Err: err}
		return rc.err
	}
	return rc.asMaxTime(err)
}

// asMaxTime turns the server's MaxTimeMSExpired (code 50) into a *MaxTimeError.
func (rc *readCursor) asMaxTime(err error) error {
	var se mongo.ServerError
	if err != nil && rc.c.maxTime > 0 && errors.As(err, &se) && se.HasErrorCode(50) {
		if rc.err == nil {
			rc.err = &MaxTimeError{What: rc.what, Limit: rc.c.maxTime, Server: true, Err: err}
		}
		return rc.err
	}
	return err
}
