package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// leaseDoc reads the namespace's lease, nil when there is none.
func leaseDoc(t *testing.T, ns model.Namespace) *mongo.LeaseInfo {
	t.Helper()
	var l mongo.LeaseInfo
	err := coll(t, ns.DB, mongo.LeaseCollection).FindOne(context.Background(), bson.D{{Key: "_id", Value: ns.String()}}).Decode(&l)
	if errors.Is(err, mongodriver.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return &l
}

// expireLease ages the namespace's lease past its expiry, as LeaseTTL of waiting would: what a
// test does after a run that could not release its lease (its network stayed down).
func expireLease(t *testing.T, ns model.Namespace) {
	t.Helper()
	res, err := coll(t, ns.DB, mongo.LeaseCollection).UpdateOne(context.Background(), bson.D{{Key: "_id", Value: ns.String()}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "expires", Value: time.Now().Add(-time.Second)}}}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("expire the lease on %s: %v %+v", ns, err, res)
	}
}

func putLease(t *testing.T, ns model.Namespace, since, expires time.Time) {
	t.Helper()
	if _, err := coll(t, ns.DB, mongo.LeaseCollection).InsertOne(context.Background(), mongo.LeaseInfo{
		NS: ns.String(), Host: "h", PID: 123, Run: "other", Since: since, Expires: expires}); err != nil {
		t.Fatal(err)
	}
}

// TestLeaseRefusesSecondRun starts a second run on the namespace while a first one is between
// batches: it is refused, naming the holder, and writes nothing; the first run finishes and
// releases the lease.
func TestLeaseRefusesSecondRun(t *testing.T) {
	c, db := connect(t)
	users(t, db, 3, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	other, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(context.Background())
	host, _ := os.Hostname()
	var during *mongo.LeaseInfo
	var second error
	secondDir := t.TempDir()
	calls := 0
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir(), BatchSize: 1,
		Progress: func(model.Progress) {
			calls++
			if calls == 1 {
				during = leaseDoc(t, ns)
				_, second = other.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: secondDir})
			}
		}})
	if err != nil || rep.Deleted != 3 {
		t.Fatalf("first run: %v %+v", err, rep)
	}
	if during == nil || during.Host != host || during.PID != os.Getpid() || !during.Expires.After(time.Now()) {
		t.Fatalf("lease during the run: %+v", during)
	}
	var held *mongo.LeaseHeldError
	if !errors.As(second, &held) || held.Holder.Run != during.Run {
		t.Fatalf("second run: %v, want refused for the lease held by %+v", second, during)
	}
	want := fmt.Sprintf("another dupes run holds the lease on %s: host %s pid %d since %s; it expires at ",
		ns, host, os.Getpid(), during.Since.UTC().Format("15:04:05 UTC"))
	if msg := second.Error(); !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, " UTC if that run crashed") {
		t.Errorf("second run's error:\n%s\nwant it to start\n%s", msg, want)
	}
	if entries, _ := os.ReadDir(secondDir); len(entries) != 0 {
		t.Errorf("the refused run wrote %d files", len(entries))
	}
	if l := leaseDoc(t, ns); l != nil {
		t.Errorf("lease left after the run: %+v", l)
	}
}

// TestLeaseHeldByAnotherHost refuses a run while a live lease of another host exists, with
// the message a DBA needs, and deletes nothing.
func TestLeaseHeldByAnotherHost(t *testing.T) {
	c, db := connect(t)
	users(t, db, 1, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	since := time.Now().UTC().Truncate(time.Second)
	expires := since.Add(time.Hour)
	putLease(t, ns, since, expires)
	_, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	want := "another dupes run holds the lease on " + ns.String() + ": host h pid 123 since " +
		since.Format("15:04:05") + " UTC; it expires at " + expires.Format("15:04:05") + " UTC if that run crashed"
	if err == nil || err.Error() != want {
		t.Fatalf("execute under another's lease:\n%v\nwant\n%s", err, want)
	}
	if n := len(rawDocs(t, db, "users")); n != 3 {
		t.Fatalf("%d documents left, want all 3", n)
	}
	if l := leaseDoc(t, ns); l == nil || l.Run != "other" {
		t.Fatalf("the holder's lease was touched: %+v", l)
	}
}

// TestLeaseExpiredIsTakenOver runs over the lease of a run that crashed: expired, it is taken
// over, and released at the end.
func TestLeaseExpiredIsTakenOver(t *testing.T) {
	c, db := connect(t)
	users(t, db, 2, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	putLease(t, ns, time.Now().Add(-2*time.Hour), time.Now().Add(-time.Second))
	var during *mongo.LeaseInfo
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir(),
		Progress: func(model.Progress) { during = leaseDoc(t, ns) }})
	if err != nil || rep.Deleted != 2 {
		t.Fatalf("execute over an expired lease: %v %+v", err, rep)
	}
	if during == nil || during.Run == "other" || during.PID != os.Getpid() {
		t.Errorf("lease during the run: %+v", during)
	}
	if l := leaseDoc(t, ns); l != nil {
		t.Errorf("lease left after the run: %+v", l)
	}
}

// TestLeaseReleasedOnFailure fails a run after it took the lease (its backup cannot be
// created): the lease is released, and the next run goes ahead.
func TestLeaseReleasedOnFailure(t *testing.T) {
	c, db := connect(t)
	users(t, db, 1, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: notDir}); err == nil {
		t.Fatal("a run whose backup directory is a file succeeded")
	}
	if l := leaseDoc(t, ns); l != nil {
		t.Fatalf("lease left after a failed run: %+v", l)
	}
	if rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()}); err != nil || rep.Deleted != 1 {
		t.Fatalf("next run: %v %+v", err, rep)
	}
}

// TestLeaseNotTakenReadOnly: a read-only client writes no lease (nor its collection).
func TestLeaseNotTakenReadOnly(t *testing.T) {
	db := mongotest.DB(t)
	c, err := mongo.Connect(context.Background(), mongotest.URI(t), mongo.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	users(t, db.Name(), 1, 2)
	plan := handPlan(t, db.Name(), "users", model.Key{Fields: []string{"email"}})
	if _, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()}); !errors.Is(err, mongo.ErrReadOnly) {
		t.Fatalf("read-only execute: %v", err)
	}
	names, err := db.ListCollectionNames(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == mongo.LeaseCollection {
			t.Fatalf("a read-only run created %s", n)
		}
	}
}
