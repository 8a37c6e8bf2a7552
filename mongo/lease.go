package mongo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/dupes-tui/dupes/model"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// LeaseCollection holds the leases, one document per namespace being cleaned, in the database
// of that namespace (or Options.LeaseDB): whoever may delete from a collection can write beside
// it, where a database of dupes' own (or admin) may be out of a readWrite user's reach. The
// collection stays (empty) after the runs: dropping it could drop a lease another run just
// took. The documents are keyed by the full namespace, so one lease database serves many.
const LeaseCollection = "_dupes_leases"

// LeaseTTL is how long a lease lives without renewal: a crashed run on another host blocks
// others this long (one on the same machine is seen at once, leaselocal.go). It outlives a
// batch's deadline (ExecBatchTimeout) by a renewal period, so every batch fits the lease.
const LeaseTTL = 3 * time.Minute

// leaseRenewals is how many renewals fit in one TTL: two may fail (a slow server, a short
// network cut) before the lease lapses.
const leaseRenewals = 3

// LeaseHeldError refuses a run because another run holds the namespace's lease.
type LeaseHeldError struct {
	NS     model.Namespace
	Holder LeaseInfo
}

func (e *LeaseHeldError) Error() string {
	utc := func(t time.Time) string { return t.UTC().Format("15:04:05 UTC") }
	since := utc(e.Holder.Since)
	if day := "2006-01-02"; e.Holder.Since.UTC().Format(day) != time.Now().UTC().Format(day) {
		since = e.Holder.Since.UTC().Format(day + " 15:04:05 UTC")
	}
	return fmt.Sprintf("another dupes run holds the lease on %s: host %s pid %d since %s; it expires at %s if that run crashed",
		e.NS, e.Holder.Host, e.Holder.PID, since, utc(e.Holder.Expires))
}

// LeaseInfo is a lease document: who runs on which namespace, since when, until when unless
// renewed. Times are the holder's clock.
type LeaseInfo struct {
	NS   string `bson:"_id"`
	Host string `bson:"host"`
	PID  int    `bson:"pid"`
	Run  string `bson:"run"` // the run id (run.go): tells two runs of one process apart
	// Machine is the holder's kernel and PID namespace (machineID), so that a run on the same
	// machine can tell that the holder's process is gone.
	Machine string    `bson:"machine,omitempty"`
	Since   time.Time `bson:"since"`
	Expires time.Time `bson:"expires"`
}

// lease is a held lease, renewed in the background until released.
type lease struct {
	coll    *mongo.Collection
	info    LeaseInfo
	ttl     time.Duration
	comment string // the run's (run.go)

	// tookOver is the lease of a crashed run, on this machine, that this one took at once.
	tookOver *LeaseInfo

	mu      sync.Mutex
	expires time.Time // as last written
	lost    error

	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
}

// acquireLease takes the namespace's lease, or refuses with a *LeaseHeldError. One document per
// namespace, written atomically on its own (neither engine here has transactions): an insert
// takes a free lease; on a duplicate key an update that matches only an expired lease takes
// that over, so of two runs racing for it exactly one wins.
func (c *Client) acquireLease(ctx context.Context, ns model.Namespace, ttl time.Duration) (*lease, error) {
	host, _ := os.Hostname()
	db := ns.DB
	if c.leaseDB != "" {
		db = c.leaseDB
	}
	l := &lease{
		coll: c.mc.Database(db).Collection(LeaseCollection, primaryMajority()),
		info: LeaseInfo{NS: ns.String(), Host: host, PID: os.Getpid(), Run: c.runID, Machine: machineID()},
		ttl:  ttl, comment: c.comment(),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	what := "take the lease on " + ns.String()
	for range 3 { // a lease released between the insert and the read is tried again
		now := time.Now().UTC().Truncate(time.Millisecond) // BSON dates hold milliseconds
		l.info.Since, l.info.Expires = now, now.Add(ttl)
		_, err := l.coll.InsertOne(ctx, l.info, options.InsertOne().SetComment(l.comment))
		if err == nil {
			break
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, c.wrap(what, err)
		}
		res, err := l.coll.UpdateOne(ctx,
			bson.D{{Key: "_id", Value: l.info.NS}, {Key: "expires", Value: bson.D{{Key: "$lt", Value: now}}}},
			bson.D{{Key: "$set", Value: l.info}}, l.update())
		if err != nil {
			return nil, c.wrap(what, err)
		}
		if res.MatchedCount == 1 {
			break // the holder's lease had expired: it crashed or lost its connection
		}
		var held LeaseInfo
		err = l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: l.info.NS}}, options.FindOne().SetComment(l.comment)).Decode(&held)
		if errors.Is(err, mongo.ErrNoDocuments) {
			l.info.Since = time.Time{}
			continue
		}
		if err != nil {
			return nil, c.wrap(what, err)
		}
		if holderIsDead(held, host, l.info.Machine) {
			// The holder ran on this machine and its process is gone: it crashed. Take its
			// lease now, matching that very run, so a live run that took it meanwhile keeps it.
			res, err := l.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: l.info.NS}, {Key: "run", Value: held.Run}},
				bson.D{{Key: "$set", Value: l.info}}, l.update())
			if err != nil {
				return nil, c.wrap(what, err)
			}
			if res.MatchedCount == 1 {
				l.tookOver = &held
				break
			}
			l.info.Since = time.Time{}
			continue
		}
		return nil, &LeaseHeldError{NS: ns, Holder: held}
	}
	if l.info.Since.IsZero() {
		return nil, fmt.Errorf("%s: other runs keep taking and releasing it; try again", what)
	}
	l.expires = l.info.Expires
	go l.renew()
	return l, nil
}

// renew extends the lease every ttl/leaseRenewals until released. A renewal that finds the
// lease gone or someone else's marks it lost; the run then stops before its next batch.
func (l *lease) renew() {
	defer close(l.done)
	tick := time.NewTicker(l.ttl / leaseRenewals)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		ctx, cancel := context.WithTimeout(context.Background(), l.ttl/leaseRenewals)
		res, err := l.coll.UpdateOne(ctx, l.mine(),
			bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: now.Add(l.ttl)}}}}, l.update())
		cancel()
		l.mu.Lock()
		switch {
		case err != nil:
			// Try again at the next tick; check() says when it is too late.
		case res.MatchedCount == 0:
			l.lost = fmt.Errorf("lost the lease on %s: another run took it over or it was removed by hand, "+
				"so this run stopped", l.info.NS)
		default:
			l.expires = now.Add(l.ttl)
		}
		l.mu.Unlock()
	}
}

// check says whether the run may go on deleting: the lease is still ours and renewed with at
// least one renewal period to spare.
func (l *lease) check() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return l.lost
	}
	if time.Now().After(l.expires.Add(-l.ttl / leaseRenewals)) {
		return fmt.Errorf("could not renew the lease on %s (it expires at %s), so this run stopped",
			l.info.NS, l.expires.Format("15:04:05 UTC"))
	}
	return nil
}

// minBatchTime is the least time a batch may be given: with less left on the lease, the run
// stops instead of sending a batch that could not finish inside it.
const minBatchTime = 5 * time.Second

// batchDeadline is when the next batch must be done: at most max from now, and a renewal
// period before the lease, as last renewed, expires. Every write of the batch carries it, on
// the client (the context), on the server (the driver's maxTimeMS, counted from when the
// server receives it) and in the guard's $$NOW test where the engine has it (fence,
// execute_delete.go), which refuses a write the network held past it. It refuses a lease that
// is lost, or too near its end for a batch.
func (l *lease) batchDeadline(max time.Duration) (time.Time, error) {
	if err := l.check(); err != nil {
		return time.Time{}, err
	}
	l.mu.Lock()
	d := l.expires.Add(-l.ttl / leaseRenewals)
	l.mu.Unlock()
	if lim := time.Now().Add(max); lim.Before(d) {
		d = lim
	}
	if time.Until(d) < minBatchTime {
		return time.Time{}, fmt.Errorf("the lease on %s has too little time left for a batch (it could not be renewed), so this run stopped", l.info.NS)
	}
	return d, nil
}

// release stops the renewals and removes the lease if it is still ours. A failure is not the
// run's failure: the lease expires by itself.
func (l *lease) release() {
	l.leave()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = l.coll.DeleteOne(ctx, l.mine(), options.DeleteOne().SetComment(l.comment))
}

// TookOverNotice says whose lease this run took because that run's process is gone, or "".
func (l *lease) TookOverNotice() string {
	if l.tookOver == nil {
		return ""
	}
	return fmt.Sprintf("took over the lease on %s from pid %d on this host (since %s): that process is gone, so it cannot be running",
		l.info.NS, l.tookOver.PID, l.tookOver.Since.UTC().Format("2006-01-02 15:04:05 UTC"))
}

// mine matches the lease only while it is this run's.
func (l *lease) mine() bson.D {
	return bson.D{{Key: "_id", Value: l.info.NS}, {Key: "run", Value: l.info.Run}}
}

func (l *lease) update() options.Lister[options.UpdateOneOptions] {
	return options.UpdateOne().SetComment(l.comment)
}

// leave stops the renewals and leaves the lease to expire by itself, returning when.
func (l *lease) leave() time.Time {
	l.stopOnce.Do(func() { close(l.stop) })
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expires
}
