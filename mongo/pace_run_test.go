package mongo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// pairsPlan seeds coll with n pairs on email (_ids 2i and 2i+1, each document padded to about
// pad bytes) and returns the keep-first plan that deletes the n second members.
func pairsPlan(t *testing.T, db string, n, pad int) model.Plan {
	t.Helper()
	filler := strings.Repeat("x", pad)
	docs := make([]any, 0, 2*n)
	for i := range 2 * n {
		docs = append(docs, bson.D{{Key: "_id", Value: int32(i)}, {Key: "email", Value: fmt.Sprintf("u%d@x", i/2)}, {Key: "pad", Value: filler}})
	}
	mongotest.InsertMany(t, mongotest.Client(t).Database(db).Collection("users"), docs)
	p := model.Plan{Version: model.PlanVersion, NS: model.Namespace{DB: db, Coll: "users"},
		Key: model.Key{Fields: []string{"email"}}, Rule: "first", CreatedAt: time.Now().UTC()}
	for i := range n {
		p.Groups = append(p.Groups, model.PlanGroup{Key: []model.Value{val(t, fmt.Sprintf("u%d@x", i))},
			Keep: val(t, int32(2*i)), Delete: []model.Value{val(t, int32(2*i+1))}})
	}
	return p
}

// val is a Go value as the model writes it.
func val(t *testing.T, v any) model.Value {
	t.Helper()
	typ, data, err := bson.MarshalValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return value(bson.RawValue{Type: typ, Value: data})
}

func connectTest(t *testing.T, uri string) *Client {
	t.Helper()
	c, err := Connect(context.Background(), uri, Options{Command: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func countDocs(t *testing.T, db string) int64 {
	t.Helper()
	n, err := mongotest.Client(t).Database(db).Collection("users").CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// --max-rate 200 on a run of 2 000 deletes: the run waits exactly 10 s in all, in even waits
// of a quarter second's documents (50), whatever the server's speed (the pacer's clock is
// virtual here, so the schedule is checked exactly; the real-time check is
// TestMaxRateRealTime and the bench runner's rate figures).
func TestMaxRateSchedule(t *testing.T) {
	db := mongotest.DB(t)
	plan := pairsPlan(t, db.Name(), 2000, 0)
	c := connectTest(t, mongotest.URI(t))
	clk := newFakeClock()
	rep, err := c.Execute(context.Background(), plan, ExecOptions{BackupDir: t.TempDir(), Pace: Pace{MaxRate: 200, clock: clk}})
	if err != nil || rep.Deleted != 2000 {
		t.Fatalf("run: %v, deleted %d", err, rep.Deleted)
	}
	total := time.Duration(0)
	for _, s := range clk.sleeps {
		total += s
		if s != 250*time.Millisecond {
			t.Fatalf("a wait of %v, want every one 250ms: %v", s, clk.sleeps)
		}
	}
	if total != 10*time.Second || len(clk.sleeps) != 40 {
		t.Fatalf("waited %v in %d waits, want 10s in 40", total, len(clk.sleeps))
	}
}

// The same run on the real clock: 2 000 deletes at --max-rate 200 take 10 s, within 5 %. The
// limiter's guarantee is the lower bound (every batch waits for its share); the upper one
// holds while the server keeps up with 200 guarded deletes a second, which both engines do on
// a collection of 4 000 documents.
func TestMaxRateRealTime(t *testing.T) {
	db := mongotest.DB(t)
	plan := pairsPlan(t, db.Name(), 2000, 0)
	c := connectTest(t, mongotest.URI(t))
	start := time.Now()
	rep, err := c.Execute(context.Background(), plan, ExecOptions{BackupDir: t.TempDir(), Pace: Pace{MaxRate: 200}})
	d := time.Since(start)
	if err != nil || rep.Deleted != 2000 {
		t.Fatalf("run: %v, deleted %d", err, rep.Deleted)
	}
	t.Logf("2000 deletes at --max-rate 200: %v", d)
	if d < 9500*time.Millisecond || d > 10500*time.Millisecond {
		t.Fatalf("the run took %v, want 10s ± 5%%", d)
	}
}

// A batch stops at its byte cap whatever its count: with a cap of 40 KiB and documents of
// 8 KiB (keepers and members), no batch reads more than the cap and one group more, and a
// group larger than the cap is read whole, alone. Every delete happens, and is backed up.
func TestBatchesStopAtTheByteCap(t *testing.T) {
	db := mongotest.DB(t)
	const pad, cap = 8 << 10, 40 << 10
	plan := pairsPlan(t, db.Name(), 30, pad)
	// One group of 10 documents (80 KiB): more than a batch may hold.
	var big []any
	bigGroup := model.PlanGroup{Key: []model.Value{val(t, "big@x")}, Keep: val(t, int32(1000))}
	for i := range 10 {
		big = append(big, bson.D{{Key: "_id", Value: int32(1000 + i)}, {Key: "email", Value: "big@x"}, {Key: "pad", Value: strings.Repeat("y", pad)}})
		if i > 0 {
			bigGroup.Delete = append(bigGroup.Delete, val(t, int32(1000+i)))
		}
	}
	mongotest.InsertMany(t, db.Collection("users"), big)
	plan.Groups = append(plan.Groups[:15], append([]model.PlanGroup{bigGroup}, plan.Groups[15:]...)...)
	c := connectTest(t, mongotest.URI(t))
	var done []int
	rep, err := c.Execute(context.Background(), plan, ExecOptions{BackupDir: t.TempDir(), batchBytes: cap,
		Progress: func(p model.Progress) { done = append(done, p.GroupsDone) }})
	if err != nil || rep.Deleted != 39 || rep.BackedUp != 39 {
		t.Fatalf("run: %v, deleted %d, backed up %d; want 39", err, rep.Deleted, rep.BackedUp)
	}
	prev := 0
	for _, d := range done {
		groups := plan.Groups[prev:d]
		docs := 0
		for _, g := range groups {
			docs += 1 + len(g.Delete)
		}
		last := 1 + len(groups[len(groups)-1].Delete)
		if docs*pad > cap+last*(pad+100) && len(groups) > 1 {
			t.Errorf("a batch of groups %d..%d read %d documents (%d KiB), past the %d KiB cap by more than its last group",
				prev, d, docs, docs*pad>>10, cap>>10)
		}
		prev = d
	}
	if len(done) < 60*pad/cap {
		t.Errorf("%d batches, want at least %d for %d KiB of pairs", len(done), 60*pad/cap, 60*pad>>10)
	}
}

// runInBackground runs Execute in a goroutine, recording its progress reports.
type bgRun struct {
	mu      sync.Mutex
	reports []model.Progress
	rep     model.Report
	err     error
	done    chan struct{}
}

func runInBackground(c *Client, plan model.Plan, opt ExecOptions) *bgRun {
	b := &bgRun{done: make(chan struct{})}
	opt.Progress = func(p model.Progress) {
		b.mu.Lock()
		b.reports = append(b.reports, p)
		b.mu.Unlock()
	}
	go func() {
		defer close(b.done)
		b.rep, b.err = c.Execute(context.Background(), plan, opt)
	}()
	return b
}

// waitPaused waits until the run reports a pause whose reason holds want.
func (b *bgRun) waitPaused(t *testing.T, want string) {
	t.Helper()
	for {
		b.mu.Lock()
		for _, p := range b.reports {
			if strings.Contains(p.Paused, want) {
				b.mu.Unlock()
				return
			}
		}
		b.mu.Unlock()
		select {
		case <-b.done:
			t.Fatalf("the run ended without pausing for %q: %v, reports %+v", want, b.err, b.reports)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// pausedTTL is the lease TTL of the pause tests: the least that leaves minBatchTime between
// renewals.
const pausedTTL = 15 * time.Second

// startPaused seeds 20 pairs and starts their run with a pause file in place, on a lease of
// pausedTTL, and waits until it says it is paused.
func startPaused(t *testing.T) (db *mongodriver.Database, plan model.Plan, pause string, b *bgRun) {
	t.Helper()
	db = mongotest.DB(t)
	plan = pairsPlan(t, db.Name(), 20, 0)
	pause = filepath.Join(t.TempDir(), "pause")
	if err := os.WriteFile(pause, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := connectTest(t, mongotest.URI(t))
	b = runInBackground(c, plan, ExecOptions{BackupDir: t.TempDir(), leaseTTL: pausedTTL, Pace: Pace{PauseFile: pause}})
	b.waitPaused(t, "the pause file "+pause+" exists")
	return db, plan, pause, b
}

// A run paused longer than its lease's TTL keeps the lease (renewed in the background), writes
// nothing while paused, and once resumed gets its batch deadline from the lease as renewed:
// it finishes.
func TestPausedRunKeepsItsLease(t *testing.T) {
	db, plan, pause, b := startPaused(t)
	var at LeaseInfo
	leases := db.Collection(LeaseCollection)
	if err := leases.FindOne(context.Background(), bson.D{{Key: "_id", Value: plan.NS.String()}}).Decode(&at); err != nil {
		t.Fatal(err)
	}
	time.Sleep(pausedTTL + 2*time.Second)
	var later LeaseInfo
	if err := leases.FindOne(context.Background(), bson.D{{Key: "_id", Value: plan.NS.String()}}).Decode(&later); err != nil {
		t.Fatalf("the paused run's lease: %v", err)
	}
	if later.Run != at.Run || !later.Expires.After(at.Expires.Add(pausedTTL/leaseRenewals)) {
		t.Fatalf("lease during the pause: %+v then %+v, want the same run's, renewed", at, later)
	}
	if n := countDocs(t, db.Name()); n != 40 {
		t.Fatalf("%d documents while paused, want 40: nothing deleted", n)
	}
	os.Remove(pause)
	<-b.done
	if b.err != nil || b.rep.Deleted != 20 {
		t.Fatalf("after the pause: %v, deleted %d", b.err, b.rep.Deleted)
	}
	if b.rep.Pauses.Count != 1 || b.rep.Pauses.Total < pausedTTL || b.rep.Pauses.LagCount != 0 {
		t.Fatalf("pauses %+v, want one longer than %v", b.rep.Pauses, pausedTTL)
	}
}

// A run whose lease is taken over while it is paused writes nothing after the pause: the
// renewal finds the lease gone, and the next batch is refused.
func TestLeaseLostWhilePausedStopsTheRun(t *testing.T) {
	db, plan, pause, b := startPaused(t)
	leases := db.Collection(LeaseCollection)
	if _, err := leases.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: plan.NS.String()}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "run", Value: "another"}}}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(pausedTTL/leaseRenewals + 2*time.Second) // a renewal has seen it
	os.Remove(pause)
	<-b.done
	if b.err == nil || !strings.Contains(b.err.Error(), "lost the lease") {
		t.Fatalf("after the takeover: %v, want the lost lease", b.err)
	}
	if n := countDocs(t, db.Name()); n != 40 || b.rep.Deleted != 0 {
		t.Fatalf("%d documents left, %d deleted: the run wrote after losing its lease", n, b.rep.Deleted)
	}
}

// A cancel (SIGTERM) during a pause ends the run cleanly: cancelled, the manifest says so, and
// the same plan run again resumes and finishes.
func TestCancelWhilePausedResumes(t *testing.T) {
	db := mongotest.DB(t)
	plan := pairsPlan(t, db.Name(), 20, 0)
	dir := t.TempDir()
	c := connectTest(t, mongotest.URI(t))
	ctx, cancel := context.WithCancel(context.Background())
	held := false
	batches := 0
	var mu sync.Mutex
	hold := func() string {
		mu.Lock()
		defer mu.Unlock()
		if held {
			return "SIGUSR1"
		}
		return ""
	}
	rep, err := c.Execute(ctx, plan, ExecOptions{BackupDir: dir, BatchSize: 5, Pace: Pace{Hold: hold},
		Progress: func(p model.Progress) {
			mu.Lock()
			defer mu.Unlock()
			if p.Paused != "" {
				cancel() // SIGTERM during the pause
				return
			}
			if batches++; batches == 2 {
				held = true
			}
		}})
	if err != nil || !rep.Cancelled || rep.Deleted != 10 || rep.Pauses.Count != 1 {
		t.Fatalf("cancelled while paused: %v, cancelled %v, deleted %d, pauses %+v", err, rep.Cancelled, rep.Deleted, rep.Pauses)
	}
	m, err := ReadManifest(rep.ManifestPath)
	if err != nil || m.Status != RunCancelled || m.RunID != c.RunID() {
		t.Fatalf("manifest: %v, status %q, run %q (want %q)", err, m.Status, m.RunID, c.RunID())
	}
	again, err := connectTest(t, mongotest.URI(t)).Execute(context.Background(), plan, ExecOptions{BackupDir: dir})
	if err != nil || !again.Resumed || again.Deleted+again.Earlier != 20 {
		t.Fatalf("the rerun: %v, resumed %v, deleted %d + %d earlier", err, again.Resumed, again.Deleted, again.Earlier)
	}
	if n := countDocs(t, db.Name()); n != 20 {
		t.Fatalf("%d documents left, want 20", n)
	}
}

// A restore's batches stop at their byte cap too, and it paces its inserts: every document
// comes back, in batches of at most the cap and one document, and at --max-rate it waits its
// share (the clock is virtual).
func TestRestoreBatchesByBytesAndRate(t *testing.T) {
	db := mongotest.DB(t)
	const pad, cap = 8 << 10, 40 << 10
	plan := pairsPlan(t, db.Name(), 30, pad)
	c := connectTest(t, mongotest.URI(t))
	rep, err := c.Execute(context.Background(), plan, ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 30 {
		t.Fatalf("run: %v, deleted %d", err, rep.Deleted)
	}
	clk := newFakeClock()
	var done []int
	res, err := c.Restore(context.Background(), rep.BackupPath, RestoreOptions{batchBytes: cap, Pace: Pace{MaxRate: 100, clock: clk},
		Progress: func(p model.Progress) { done = append(done, p.DocsDeleted) }})
	if err != nil || res.Inserted != 30 || countDocs(t, db.Name()) != 60 {
		t.Fatalf("restore: %v, inserted %d", err, res.Inserted)
	}
	prev := 0
	for _, d := range done {
		if n := d - prev; n*pad > cap+pad+100 {
			t.Errorf("a restore batch of %d documents (%d KiB), past the %d KiB cap by more than one", n, n*pad>>10, cap>>10)
		}
		prev = d
	}
	var waited time.Duration
	for _, s := range clk.sleeps {
		waited += s
	}
	if len(done) < 30*pad/cap || waited != 300*time.Millisecond {
		t.Errorf("%d batches, waited %v: want at least %d batches, and 30 documents at 100/s: 300ms", len(done), waited, 30*pad/cap)
	}
}

// A merging run whose keepers are large sends their replacements in several commands, in
// order: every keeper takes its merge, and every member goes.
func TestLargeKeepersMergeInSeveralCommands(t *testing.T) {
	db := mongotest.DB(t)
	const pad = 1500 << 10 // a statement carries its keeper twice: one per command
	plan := pairsPlan(t, db.Name(), 3, pad)
	users := db.Collection("users")
	for i := range 3 {
		if _, err := users.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: int32(2*i + 1)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "phone", Value: fmt.Sprintf("555-%d", i)}}}}); err != nil {
			t.Fatal(err)
		}
	}
	plan.Merge = &model.MergeOptions{}
	c := connectTest(t, mongotest.URI(t))
	rep, err := c.Execute(context.Background(), plan, ExecOptions{BackupDir: t.TempDir()})
	if err != nil || rep.Deleted != 3 || rep.MergedKeepers != 3 {
		t.Fatalf("run: %v, deleted %d, merged %d; want 3 and 3", err, rep.Deleted, rep.MergedKeepers)
	}
	for i := range 3 {
		var k bson.M
		if err := users.FindOne(context.Background(), bson.D{{Key: "_id", Value: int32(2 * i)}}).Decode(&k); err != nil || k["phone"] != fmt.Sprintf("555-%d", i) {
			t.Fatalf("keeper %d: %v, phone %v", 2*i, err, k["phone"])
		}
	}
}
