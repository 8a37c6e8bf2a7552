package mongo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestExecuteNetworkFaults cuts the connection between the executor and the server at every
// point where a cut could lose data, then checks that nothing is lost and that re-running the
// plan finishes it exactly. 6 groups of 3, 2 groups a batch: 3 batches, each one re-read (a
// find) and one bulk delete.
func TestExecuteNetworkFaults(t *testing.T) {
	type result struct {
		rep model.Report
		err error
	}
	groupsOf := func(rep model.Report, o model.Outcome) int {
		n := 0
		for _, g := range rep.Groups {
			if g.Outcome == o {
				n++
			}
		}
		return n
	}
	// retriedOrFailed accepts the two honest outcomes of a cut the driver may retry: every
	// planned delete done without error, or an error with the interrupted batch reported failed.
	retriedOrFailed := func(t *testing.T, r result) {
		t.Helper()
		done := r.err == nil && r.rep.Deleted == 12 && r.rep.FailedGroups == 0
		stopped := r.err != nil && r.rep.FailedGroups > 0
		if !done && !stopped {
			t.Errorf("want all 12 deleted, or an error with failed groups: %v %+v", r.err, r.rep)
		}
		t.Logf("outcome: err=%v deleted=%d failed=%d", r.err, r.rep.Deleted, r.rep.FailedGroups)
	}
	scenarios := []struct {
		name  string
		rule  faultRule
		check func(t *testing.T, r result)
	}{
		{"cut before the first delete, network stays down",
			faultRule{cmd: "delete", nth: 1, mode: cutBefore, kill: true},
			func(t *testing.T, r result) {
				if r.err == nil || r.rep.Deleted != 0 || r.rep.FailedGroups != 2 || r.rep.NotReached != 4 {
					t.Errorf("want an error, 2 failed groups, 4 not reached: %v %+v", r.err, r.rep)
				}
			}},
		{"cut before the second delete, network comes back",
			faultRule{cmd: "delete", nth: 2, mode: cutBefore},
			func(t *testing.T, r result) {
				if r.err == nil || r.rep.Deleted != 4 || r.rep.FailedGroups != 2 || r.rep.NotReached != 2 {
					t.Errorf("want an error, batch 1 deleted, batch 2 failed: %v %+v", r.err, r.rep)
				}
			}},
		{"server ran the first delete, reply lost, network stays down",
			faultRule{cmd: "delete", nth: 1, mode: cutAfterRun, kill: true},
			func(t *testing.T, r result) {
				if r.err == nil || r.rep.FailedGroups != 2 || r.rep.NotReached != 4 {
					t.Errorf("want an error and batch 1 failed (outcome unknown): %v %+v", r.err, r.rep)
				}
			}},
		{"server ran the second delete, reply lost, network comes back",
			faultRule{cmd: "delete", nth: 2, mode: cutAfterRun},
			func(t *testing.T, r result) {
				// The check after the cut sees the documents gone: batch 2 is accounted as deleted.
				if r.err == nil || r.rep.Deleted != 8 || groupsOf(r.rep, model.Deleted) != 4 || r.rep.NotReached != 2 {
					t.Errorf("want an error, batches 1-2 deleted: %v %+v", r.err, r.rep)
				}
			}},
		{"reply of the second delete cut in half, network stays down",
			faultRule{cmd: "delete", nth: 2, mode: cutMidReply, kill: true},
			func(t *testing.T, r result) {
				if r.err == nil || r.rep.Deleted != 4 || r.rep.FailedGroups != 2 || r.rep.NotReached != 2 {
					t.Errorf("want an error, batch 2 failed (outcome unknown): %v %+v", r.err, r.rep)
				}
			}},
		{"between batches: the second re-read is cut, network stays down",
			faultRule{cmd: "find", coll: "users", nth: 2, mode: cutBefore, kill: true},
			func(t *testing.T, r result) {
				if r.err == nil || r.rep.Deleted != 4 || r.rep.FailedGroups != 2 || r.rep.NotReached != 2 {
					t.Errorf("want an error, batch 2 failed before its backup: %v %+v", r.err, r.rep)
				}
			}},
		{"between batches: the second re-read is cut, network comes back",
			faultRule{cmd: "find", coll: "users", nth: 2, mode: cutBefore},
			func(t *testing.T, r result) {
				// The driver retries a read once on a new connection: the run completes, or it
				// stops with the batch reported failed. Either way nothing is lost (checked below).
				retriedOrFailed(t, r)
			}},
		{"during the backup re-read: its reply cut in half, network stays down",
			faultRule{cmd: "find", coll: "users", nth: 1, mode: cutMidReply, kill: true},
			func(t *testing.T, r result) {
				if r.err == nil || r.rep.Deleted != 0 || r.rep.BackedUp != 0 || r.rep.FailedGroups != 2 {
					t.Errorf("want an error, nothing backed up or deleted: %v %+v", r.err, r.rep)
				}
			}},
		{"during the third re-read: its reply cut in half, network comes back",
			faultRule{cmd: "find", coll: "users", nth: 3, mode: cutMidReply},
			func(t *testing.T, r result) {
				retriedOrFailed(t, r)
			}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			direct, db := connect(t)
			users(t, db, 6, 3)
			ns := model.Namespace{DB: db, Coll: "users"}
			before := rawDocs(t, db, "users")
			plan := planFor(t, direct, ns, model.Key{Fields: []string{"email"}})
			dir := t.TempDir()

			proxy, c := dialProxy(t, 2*time.Second)
			proxy.arm(sc.rule)
			rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir, BatchSize: 2})
			if !proxy.didFire() {
				t.Fatalf("the fault never happened (rule %+v)", sc.rule)
			}
			if err != nil {
				t.Logf("run stopped: %v", err)
			}
			sc.check(t, result{rep, err})
			if rep.BackupPath == "" {
				t.Fatal("no backup path in the report")
			}
			checkSafe(t, db, plan, before, rep.BackupPath)

			// A run whose network stays down cannot release its lease: it stays until it
			// expires, as a crashed run's does. Nor does a run whose delete went unanswered,
			// which may still land: it leaves the lease to expire after the delete's deadline,
			// and says so. Expire it instead of waiting LeaseTTL.
			l := leaseDoc(t, ns)
			unanswered := sc.rule.cmd == "delete"
			if (sc.rule.kill || unanswered) != (l != nil) {
				t.Fatalf("network stays down: %v, a delete unanswered: %v, lease left: %+v", sc.rule.kill, unanswered, l)
			}
			if unanswered && !sc.rule.kill && !slices.ContainsFunc(rep.Notices, func(n string) bool {
				return strings.Contains(n, "left to expire") && strings.Contains(n, rep.BackupPath)
			}) {
				t.Errorf("the lease was left to expire, and the notices do not say so: %q", rep.Notices)
			}
			if l != nil {
				expireLease(t, ns)
			}

			// Resume on a working connection: the plan finishes exactly.
			rep2, err := direct.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir, BatchSize: 2})
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if !rep2.Resumed || rep2.BackupPath != rep.BackupPath || rep2.Deleted+rep2.Earlier != 12 || rep2.SkippedDocs != 0 {
				t.Errorf("resume report: %+v", rep2)
			}
			checkDone(t, db, plan, before, rep2.BackupPath)
		})
	}
}

// TestExecuteCancelDuringDelete cancels while a batch's delete is on the wire: that batch
// finishes and is accounted for, the next is not started.
func TestExecuteCancelDuringDelete(t *testing.T) {
	direct, db := connect(t)
	users(t, db, 6, 3)
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	plan := planFor(t, direct, ns, model.Key{Fields: []string{"email"}})
	proxy, c := dialProxy(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	proxy.arm(faultRule{cmd: "delete", nth: 2, mode: hookOnly, hook: cancel})
	rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: t.TempDir(), BatchSize: 2})
	if err != nil {
		t.Fatalf("a cancelled run is not an error: %v", err)
	}
	if !rep.Cancelled || rep.Deleted != 8 || rep.NotReached != 2 || rep.FailedGroups != 0 {
		t.Fatalf("want batches 1-2 deleted and batch 3 not reached: %+v", rep)
	}
	checkSafe(t, db, plan, before, rep.BackupPath)
}

// TestResumeBacksUpAChangedDocumentAgain interrupts a run after its backup, changes a backed-up
// document (outside the key), and resumes: the backup gains the new version, the deleted
// document is the new version, and a restore brings back exactly that version.
func TestResumeBacksUpAChangedDocumentAgain(t *testing.T) {
	direct, db := connect(t)
	users(t, db, 2, 2)
	ns := model.Namespace{DB: db, Coll: "users"}
	plan := planFor(t, direct, ns, model.Key{Fields: []string{"email"}})
	dir := t.TempDir()
	proxy, c := dialProxy(t, 2*time.Second)
	proxy.arm(faultRule{cmd: "delete", nth: 1, mode: cutBefore, kill: true})
	rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir})
	if err == nil || rep.BackedUp != 2 || rep.Deleted != 0 {
		t.Fatalf("interrupted run: %v %+v", err, rep)
	}
	expireLease(t, ns) // the run could not release it: its network stayed down
	if _, err := coll(t, db, "users").UpdateOne(context.Background(), bson.D{{Key: "_id", Value: 101}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "note", Value: "changed after the backup"}}}}); err != nil {
		t.Fatal(err)
	}
	changed := rawDocs(t, db, "users")[`{"$numberInt":"101"}`]

	rep2, err := direct.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: dir})
	if err != nil || rep2.Deleted != 2 || rep2.BackedUp != 1 {
		t.Fatalf("resume: want 2 deleted and only the changed document backed up again: %v %+v", err, rep2)
	}
	if got := ids(backupDocs(t, rep2.BackupPath)); !equal(got, intIDs(101, 101, 201)) {
		t.Fatalf("backup holds %v", got)
	}
	res, err := direct.Restore(context.Background(), rep2.BackupPath, mongo.RestoreOptions{})
	if err != nil || res.Inserted != 2 || res.Files[0].Superseded != 1 {
		t.Fatalf("restore: %v %+v", err, res)
	}
	if got := rawDocs(t, db, "users")[`{"$numberInt":"101"}`]; string(got) != string(changed) {
		t.Fatalf("restored %s, want the last version %s", got, changed)
	}
}

// TestExecuteSendsMajority checks what the executor asks of the server, which
// mongo-java-server accepts but ignores: majority write concern on an unordered delete.
func TestExecuteSendsMajority(t *testing.T) {
	direct, db := connect(t)
	users(t, db, 1, 2)
	plan := planFor(t, direct, model.Namespace{DB: db, Coll: "users"}, model.Key{Fields: []string{"email"}})
	proxy, c := dialProxy(t, 0)
	var sent bson.Raw
	proxy.arm(faultRule{cmd: "delete", nth: 1, mode: hookOnly, inspect: func(b bson.Raw) { sent = append(bson.Raw(nil), b...) }})
	if _, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if sent == nil {
		t.Fatal("no delete was sent")
	}
	if w, _ := sent.Lookup("writeConcern", "w").StringValueOK(); w != "majority" {
		t.Errorf("delete sent with write concern %v, want majority: %s", sent.Lookup("writeConcern"), sent)
	}
	if ordered, ok := sent.Lookup("ordered").BooleanOK(); !ok || ordered {
		t.Errorf("delete is not unordered: %s", sent)
	}
}

// TestRestoreAfterNetworkCut cuts a restore after the server inserted a batch but before the
// reply: running the restore again finishes it, nothing doubled, nothing overwritten.
func TestRestoreAfterNetworkCut(t *testing.T) {
	direct, db := connect(t)
	users(t, db, 4, 3)
	ns := model.Namespace{DB: db, Coll: "users"}
	before := rawDocs(t, db, "users")
	plan := planFor(t, direct, ns, model.Key{Fields: []string{"email"}})
	rep, err := direct.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	proxy, c := dialProxy(t, 2*time.Second)
	proxy.arm(faultRule{cmd: "insert", coll: "users", nth: 2, mode: cutAfterRun, kill: true})
	res, err := c.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{BatchSize: 3})
	if err == nil || !proxy.didFire() {
		t.Fatalf("the cut did not stop the restore: %v %+v", err, res)
	}
	t.Logf("restore stopped: %v (%d inserted before the cut)", err, res.Inserted)
	res2, err := direct.Restore(context.Background(), rep.BackupPath, mongo.RestoreOptions{BatchSize: 3})
	if err != nil || res2.Inserted+res2.Existing != 8 || res2.Existing < 6 {
		t.Fatalf("second restore: %v %+v", err, res2)
	}
	after := rawDocs(t, db, "users")
	if !equal(keys(after), keys(before)) {
		t.Fatalf("after restore %v, want %v", keys(after), keys(before))
	}
	for id, d := range before {
		if string(after[id]) != string(d) {
			t.Errorf("%s differs after the restore", id)
		}
	}
}
