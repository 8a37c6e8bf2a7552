package mongo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// keepLast is the opposite of a keep-first plan: each group keeps its last member and
// deletes the others, the first among them.
func keepLast(p model.Plan) model.Plan {
	q := p
	q.Rule, q.Groups = "last", nil
	for _, g := range p.Groups {
		ids := append([]model.Value{g.Keep}, g.Delete...)
		q.Groups = append(q.Groups, model.PlanGroup{Key: g.Key, Keep: ids[len(ids)-1], Delete: ids[:len(ids)-1], Decision: model.ByRule})
	}
	return q
}

// TestHeldWriteIgnoresMaxTimeMS: a delete held up in the network until its sender's deadline
// has passed is still carried out when it reaches the server, on every engine here. The
// server counts maxTimeMS from when it receives a command, so the batch deadline that every
// write carries (lease.go, batchDeadline) bounds how long the server works on a write, not
// when the write may land: it does not fence a late write.
func TestHeldWriteIgnoresMaxTimeMS(t *testing.T) {
	_, db := connect(t)
	insert(t, db, "users", bson.D{{Key: "_id", Value: int32(1)}})
	proxy := newFaultProxy(t, mongotest.URI(t))
	mc, err := mongodriver.Connect(options.Client().ApplyURI(proxy.URI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = mc.Disconnect(context.Background()) })
	gaveUp, landed := make(chan struct{}), make(chan struct{})
	var maxTime int64
	proxy.arm(faultRule{cmd: "delete", coll: "users", nth: 1, mode: holdDetached,
		inspect: func(b bson.Raw) { maxTime, _ = b.Lookup("maxTimeMS").AsInt64OK() },
		hook:    func() { <-gaveUp }, landed: func() { close(landed) }})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	_, err = mc.Database(db).Collection("users").DeleteOne(ctx, bson.D{{Key: "_id", Value: int32(1)}})
	cancel()
	if err == nil {
		t.Fatal("the delete was answered, though the proxy held it")
	}
	if maxTime <= 0 || maxTime > 1000 {
		t.Fatalf("the held delete carried maxTimeMS %d, want the 1 s deadline", maxTime)
	}
	time.Sleep(time.Duration(maxTime) * time.Millisecond) // the deadline has passed: its maxTimeMS is spent
	close(gaveUp)
	<-landed
	if n := len(rawDocs(t, db, "users")); n != 0 {
		t.Fatalf("%d documents left: the server refused the late delete (then maxTimeMS fences it: update this test and docs/safety.md)", n)
	}
}

// TestDelayedBatch: run A (keep first) sends its delete through a network that holds it up;
// meanwhile run B (keep last, the opposite rule) takes the namespace's lease and finishes;
// then A's delete lands, and empties every group (B kept the last member, which A deletes).
// Nothing fences it on the server (TestHeldWriteIgnoresMaxTimeMS). What must hold: every
// deleted document is in A's or B's backup, and no group is left empty without a report
// saying so, with the backup that holds its members.
func TestDelayedBatch(t *testing.T) {
	type run struct {
		rep model.Report
		err error
	}
	setup := func(t *testing.T) (direct, a *mongo.Client, proxy *faultProxy, db string, planA, planB model.Plan) {
		direct, db = connect(t)
		users(t, db, 4, 3)
		planA = handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
		proxy, a = dialProxy(t, 0)
		return direct, a, proxy, db, planA, keepLast(planA)
	}

	// A's delete lands while A still waits for its answer: A's read-back of its keepers finds
	// every group emptied, and says so.
	t.Run("lands while its run waits", func(t *testing.T) {
		direct, a, proxy, db, planA, planB := setup(t)
		before := rawDocs(t, db, "users")
		var b run
		proxy.arm(faultRule{cmd: "delete", coll: "users", nth: 1, mode: hookOnly, hook: func() {
			// A's renewals stop reaching the server: its lease lapses (as LeaseTTL would have
			// it), and B takes it over.
			expireLease(t, planA.NS)
			b.rep, b.err = direct.Execute(context.Background(), planB, mongo.ExecOptions{BackupDir: t.TempDir()})
		}})
		repA, errA := a.Execute(context.Background(), planA, mongo.ExecOptions{BackupDir: t.TempDir()})
		if !proxy.didFire() {
			t.Fatal("A's delete was never held")
		}
		if b.err != nil || b.rep.Deleted != 8 {
			t.Fatalf("run B: %v, deleted %d, want 8", b.err, b.rep.Deleted)
		}
		emptied := checkNoSilentLoss(t, db, planA, before, repA, b.rep)
		if len(emptied) != len(planA.Groups) {
			t.Fatalf("%d groups emptied, want all %d: the scenario did not happen", len(emptied), len(planA.Groups))
		}
		if errA == nil || !strings.Contains(errA.Error(), "lost their keeper") || !strings.Contains(errA.Error(), repA.BackupPath) {
			t.Fatalf("run A ended with %v, want the lost keepers said loudly, with its backup", errA)
		}
	})

	// A gives up on its delete (the network failed) and ends; B runs; then A's delete lands.
	// No read-back of A's can see it, and A's report says only that the delete failed.
	t.Run("lands after its run gave up", func(t *testing.T) {
		direct, a, proxy, db, planA, planB := setup(t)
		before := rawDocs(t, db, "users")
		release, landed := make(chan struct{}), make(chan struct{})
		proxy.arm(faultRule{cmd: "delete", coll: "users", nth: 1, mode: holdDetached,
			hook: func() { <-release }, landed: func() { close(landed) }})
		// A short lease, so that A's batch deadline (a renewal period before it) comes soon.
		repA, errA := a.Execute(context.Background(), planA, mongo.WithLeaseTTL(mongo.ExecOptions{BackupDir: t.TempDir()}, 9*time.Second))
		if errA == nil {
			t.Fatal("run A's delete failed in the network, yet A reports no error")
		}
		e, err := direct.Engine(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// B waits for A's lease, however long A keeps it.
		var b run
		for {
			b.rep, b.err = direct.Execute(context.Background(), planB, mongo.ExecOptions{BackupDir: t.TempDir()})
			var held *mongo.LeaseHeldError
			if !errors.As(b.err, &held) {
				break
			}
			time.Sleep(time.Until(held.Holder.Expires))
		}
		if b.err != nil {
			t.Fatalf("run B: %v", b.err)
		}
		close(release)
		<-landed
		emptied := checkNoSilentLoss(t, db, planA, before, repA, b.rep)
		if e.NowInWrites && len(emptied) > 0 {
			t.Errorf("%s fences a late write ($$NOW in the guard), yet A's delete emptied %d groups", e, len(emptied))
		}
		if !e.NowInWrites && len(emptied) == 0 {
			t.Fatalf("on %s nothing fences A's late delete, yet it emptied no group: the scenario did not happen", e)
		}
	})
}

// checkNoSilentLoss asserts, after runs A and B of opposite plans, that every document gone
// is in one of their backups as it was, and that every group left with no member is named by
// A's report (its keepersLost) along with A's backup; it returns the emptied groups.
func checkNoSilentLoss(t *testing.T, db string, planA model.Plan, before map[string]bson.Raw, reps ...model.Report) []int {
	t.Helper()
	now := rawDocs(t, db, planA.NS.Coll)
	held := map[string]bson.Raw{}
	for _, rep := range reps {
		if rep.BackupPath == "" {
			continue
		}
		for _, d := range backupDocs(t, rep.BackupPath) {
			held[canonID(d)] = d
		}
	}
	for id, d := range before {
		if _, ok := now[id]; ok {
			continue
		}
		if b, ok := held[id]; !ok || string(b) != string(d) {
			t.Errorf("document %s is gone and in no backup as it was", id)
		}
	}
	repA := reps[0]
	lost := map[model.Value]bool{}
	for _, k := range repA.KeepersLost {
		lost[k] = true
	}
	var emptied []int
	for i, g := range planA.Groups {
		left := 0
		for _, id := range append([]model.Value{g.Keep}, g.Delete...) {
			if _, ok := now[string(id)]; ok {
				left++
			}
		}
		if left > 0 {
			continue
		}
		emptied = append(emptied, i)
		// Said either by A's check of its keepers, or, for a write A gave up on, by the group's
		// error saying the server may still carry it out.
		if !lost[g.Keep] && !inFlight(repA, i) {
			t.Errorf("group %d (%s) has no document left, and run A's report does not say so", i+1, g.Key)
		}
	}
	if len(emptied) > 0 {
		found := false
		for _, n := range repA.Notices {
			found = found || strings.Contains(n, repA.BackupPath)
		}
		if !found {
			t.Errorf("run A's notices %q do not name its backup %s", repA.Notices, repA.BackupPath)
		}
	}
	return emptied
}

// inFlight reports whether a run's report says that group i's delete went unanswered and
// may still be carried out.
func inFlight(rep model.Report, i int) bool {
	for _, g := range rep.Groups {
		if g.Group == i && strings.Contains(g.Error, "may still carry it out") {
			return true
		}
	}
	return false
}
