package mongo_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
)

// deadPID is the PID of a process that has exited: one this test started and waited for.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestLeaseOfADeadProcessIsTakenAtOnce: a run that crashed on this machine leaves a lease that
// would block the next run for LeaseTTL. Its PID is gone, so the next run takes the lease at
// once; a holder that is alive, or whose process this machine cannot see (another host, or
// another PID namespace with the same host name: a container), is still waited for.
func TestLeaseOfADeadProcessIsTakenAtOnce(t *testing.T) {
	machine := mongo.MachineID()
	if machine == "" {
		t.Fatal("no /proc here: the machine cannot tell its own processes")
	}
	host, _ := os.Hostname()
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, tc := range []struct {
		name    string
		holder  mongo.LeaseInfo
		takenAt bool
	}{
		{"dead pid, this machine", mongo.LeaseInfo{Host: host, PID: deadPID(t), Machine: machine}, true},
		{"live pid, this machine", mongo.LeaseInfo{Host: host, PID: os.Getppid(), Machine: machine}, false},
		{"dead pid, another PID namespace", mongo.LeaseInfo{Host: host, PID: deadPID(t), Machine: machine + "x"}, false},
		{"dead pid, another host", mongo.LeaseInfo{Host: host + ".other", PID: deadPID(t), Machine: machine}, false},
		{"a lease from before machines were recorded", mongo.LeaseInfo{Host: host, PID: deadPID(t)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, db := connect(t)
			users(t, db, 2, 2)
			ns := model.Namespace{DB: db, Coll: "users"}
			plan := handPlan(t, db, "users", model.Key{Fields: []string{"email"}})
			h := tc.holder
			h.NS, h.Run, h.Since, h.Expires = ns.String(), "crashed", now.Add(-time.Minute), now.Add(time.Hour)
			if _, err := coll(t, db, mongo.LeaseCollection).InsertOne(context.Background(), h); err != nil {
				t.Fatal(err)
			}
			rep, err := c.Execute(context.Background(), plan, mongo.ExecOptions{BackupDir: t.TempDir()})
			var held *mongo.LeaseHeldError
			switch {
			case tc.takenAt && (err != nil || rep.Deleted != 2):
				t.Fatalf("the crashed run's lease was not taken: %v %+v", err, rep)
			case !tc.takenAt && !errors.As(err, &held):
				t.Fatalf("a lease that may still be held was taken: %v %+v", err, rep)
			case !tc.takenAt && held.Holder.PID != h.PID:
				t.Fatalf("refused naming %+v, want pid %d", held.Holder, h.PID)
			}
			if tc.takenAt && leaseDoc(t, ns) != nil {
				t.Fatalf("the lease was not released after the run: %+v", leaseDoc(t, ns))
			}
		})
	}
}
