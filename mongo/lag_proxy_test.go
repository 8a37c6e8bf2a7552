package mongo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongotest"
	"github.com/dupes-tui/dupes/mongo/mongotest/rsproxy"
)

// ReplicationLag on a scripted replica set: each secondary's lag, read on the primary with the
// run's comment.
func TestReplicationLagOnAReplicaSet(t *testing.T) {
	p := rsproxy.Start(t, mongotest.URI(t), rsproxy.Options{Members: 3})
	p.SetLag(2, 40*time.Second)
	c := connectTest(t, p.URI())
	lags, err := c.ReplicationLag(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	addrs := p.Addrs()
	if len(lags) != 2 || lags[0].Name != addrs[1] || lags[0].Lag > time.Second ||
		lags[1].Name != addrs[2] || lags[1].Lag.Round(time.Second) != 40*time.Second {
		t.Fatalf("lags %v, want %s none and %s 40s", lags, addrs[1], addrs[2])
	}
	seen := false
	for _, s := range p.Commands() {
		if s.Command == "replSetGetStatus" {
			seen = true
			if s.Member != 0 || !strings.Contains(s.Comment, c.RunID()) {
				t.Errorf("replSetGetStatus went to member %d with comment %q, want the primary and the run's", s.Member, s.Comment)
			}
		}
	}
	if !seen {
		t.Fatal("no replSetGetStatus reached the set")
	}
}

// A server that is no replica set (mongo-java-server, FerretDB): ReplicationLag says so, and a
// run with --max-lag says once that the flag does nothing there, then runs unpaused.
func TestMaxLagWithoutAReplicaSet(t *testing.T) {
	db := mongotest.DB(t)
	plan := pairsPlan(t, db.Name(), 10, 0)
	c := connectTest(t, mongotest.URI(t))
	if _, err := c.ReplicationLag(context.Background()); !errors.Is(err, ErrNoReplicaSet) {
		t.Fatalf("ReplicationLag on the test server: %v, want ErrNoReplicaSet", err)
	}
	var notices []string
	rep, err := c.Execute(context.Background(), plan, ExecOptions{BackupDir: t.TempDir(), BatchSize: 2,
		Pace: Pace{MaxLag: 10 * time.Second, Notice: func(s string) { notices = append(notices, s) }}})
	if err != nil || rep.Deleted != 10 || rep.Pauses.Count != 0 {
		t.Fatalf("run: %v, deleted %d, pauses %+v", err, rep.Deleted, rep.Pauses)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "--max-lag 10s does nothing here: no replica set") {
		t.Fatalf("notices %q, want one saying --max-lag does nothing here", notices)
	}
}

// End to end on a scripted replica set: a run with --max-lag 10s pauses while a secondary is 30
// s behind, writes nothing meanwhile, says which secondary and how far, and resumes once it
// has caught up; the pause is counted as a lag pause.
func TestRunPausesWhileASecondaryLags(t *testing.T) {
	db := mongotest.DB(t)
	plan := pairsPlan(t, db.Name(), 20, 0)
	p := rsproxy.Start(t, mongotest.URI(t), rsproxy.Options{Members: 3})
	p.SetLag(2, 30*time.Second)
	c := connectTest(t, p.URI())
	b := runInBackground(c, plan, ExecOptions{BackupDir: t.TempDir(), Pace: Pace{MaxLag: 10 * time.Second}})
	b.waitPaused(t, "secondary "+p.Addrs()[2]+" is 30s behind (--max-lag 10s)")
	time.Sleep(1500 * time.Millisecond) // a re-check or two, still paused
	if n := countDocs(t, db.Name()); n != 40 {
		t.Fatalf("%d documents while the secondary lags, want 40: nothing deleted", n)
	}
	p.SetLag(2, 2*time.Second)
	<-b.done
	if b.err != nil || b.rep.Deleted != 20 {
		t.Fatalf("after the secondary caught up: %v, deleted %d", b.err, b.rep.Deleted)
	}
	if ps := b.rep.Pauses; ps.Count != 1 || ps.LagCount != 1 || ps.LagTotal < time.Second {
		t.Fatalf("pauses %+v, want one lag pause of a second or more", ps)
	}
}

// A user who may not run replSetGetStatus: the run reads the majority's lag from hello, says
// once that this is all it can check, and is not paused by a lagging minority.
func TestMaxLagFallsBackToHello(t *testing.T) {
	db := mongotest.DB(t)
	plan := pairsPlan(t, db.Name(), 10, 0)
	p := rsproxy.Start(t, mongotest.URI(t), rsproxy.Options{Members: 3})
	p.DenyStatus(true)
	p.SetLag(2, 30*time.Second)
	c := connectTest(t, p.URI())
	lags, err := c.ReplicationLag(context.Background())
	if err != nil || len(lags) != 1 || lags[0].Name != MajorityName || lags[0].Lag > time.Second {
		t.Fatalf("denied replSetGetStatus: %v, %v; want the majority's lag, none", lags, err)
	}
	var notices []string
	rep, err := c.Execute(context.Background(), plan, ExecOptions{BackupDir: t.TempDir(), BatchSize: 2,
		Pace: Pace{MaxLag: 10 * time.Second, Notice: func(s string) { notices = append(notices, s) }}})
	if err != nil || rep.Deleted != 10 || rep.Pauses.Count != 0 {
		t.Fatalf("run: %v, deleted %d, pauses %+v", err, rep.Deleted, rep.Pauses)
	}
	if len(notices) != 1 || !strings.Contains(notices[0], "majority") || !strings.Contains(notices[0], "clusterMonitor") {
		t.Fatalf("notices %q, want one naming the majority and clusterMonitor", notices)
	}
}
