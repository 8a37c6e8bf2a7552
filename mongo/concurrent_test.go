package mongo_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestConcurrentWriterLosesNothing runs a large plan (3000 groups of 3, six batches; _ids and
// key values of every type) while
// writers keep incrementing a counter outside the key of random documents, half of them
// members of the batch about to run. Every acknowledged increment must survive: in the
// document, if it is still there, or else in the backup copy of it, which must be the
// document exactly as it was deleted.
func TestConcurrentWriterLosesNothing(t *testing.T) {
	concurrentWriter(t, func(ctx context.Context, c *mongo.Client, plan model.Plan, opt mongo.ExecOptions) (model.Report, error) {
		return c.Execute(ctx, plan, opt)
	})
}

// TestConcurrentWriterLosesNothingStreamed is the same guarantee for a streamed run (what
// resolve does): the plan arrives in three chunks, one backup and one lease for them all.
func TestConcurrentWriterLosesNothingStreamed(t *testing.T) {
	concurrentWriter(t, func(ctx context.Context, c *mongo.Client, plan model.Plan, opt mongo.ExecOptions) (model.Report, error) {
		st, err := c.StartStream(ctx, plan, opt)
		if err != nil {
			return model.Report{}, err
		}
		const chunk = 1000
		for lo := 0; lo < len(plan.Groups) && err == nil; lo += chunk {
			err = st.Run(ctx, plan.Groups[lo:min(lo+chunk, len(plan.Groups))], true)
		}
		return st.Finish(ctx, err)
	})
}

type runFunc func(ctx context.Context, c *mongo.Client, plan model.Plan, opt mongo.ExecOptions) (model.Report, error)

func concurrentWriter(t *testing.T, run runFunc) {
	const groups, size, writers = 3000, 3, 2
	c, db := connect(t)
	ns := model.Namespace{DB: db, Coll: "users"}
	// Member m of group g is document n = g*size+m. Its _id is of every type in turn, and each
	// group's key value of another type (mongotest.IDKinds: distinct values within a kind,
	// none equal across kinds).
	kinds := mongotest.IDKinds
	idOf := make([]any, groups*size)
	idText := make([]model.Value, groups*size)
	index := map[string]int{} // canonical _id -> n
	for n := range idOf {
		idOf[n] = kinds[n%len(kinds)].Make(n)
		typ, data, err := bson.MarshalValue(idOf[n])
		if err != nil {
			t.Fatal(err)
		}
		idText[n] = model.MustValueOf(bson.RawValue{Type: typ, Value: data})
		index[string(idText[n])] = n
	}
	var docs []bson.D
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: model.Key{Fields: []string{"email"}}, Rule: "first", CreatedAt: time.Now()}
	planned := map[int]bool{}
	for g := range groups {
		key := kinds[(g+3)%len(kinds)].Make(g)
		typ, data, err := bson.MarshalValue(key)
		if err != nil {
			t.Fatal(err)
		}
		pg := model.PlanGroup{Key: []model.Value{model.MustValueOf(bson.RawValue{Type: typ, Value: data})}, Decision: model.ByRule}
		for m := range size {
			n := g*size + m
			docs = append(docs, bson.D{{Key: "_id", Value: idOf[n]}, {Key: "email", Value: key}, {Key: "c", Value: int32(0)}})
			if m == 0 {
				pg.Keep = idText[n]
			} else {
				pg.Delete = append(pg.Delete, idText[n])
				planned[n] = true
			}
		}
		plan.Groups = append(plan.Groups, pg)
	}
	insert(t, db, "users", docs...)
	u := coll(t, db, "users")

	// next is the first group of the batch the run takes next (set from Progress).
	var next atomic.Int64
	stop := make(chan struct{})
	acked := make([]map[int]int, writers) // per writer: acknowledged increments per document n
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		acked[w] = map[int]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for {
				select {
				case <-stop:
					return
				default:
				}
				g := rng.IntN(groups)
				if rng.IntN(2) == 0 { // a group of the coming batch
					g = min(int(next.Load())+rng.IntN(mongo.DefaultExecBatch), groups-1)
				}
				target := g*size + rng.IntN(size)
				res, err := u.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: idOf[target]}},
					bson.D{{Key: "$inc", Value: bson.D{{Key: "c", Value: int32(1)}}}})
				if err != nil {
					errs[w] = err
					return
				}
				if res.MatchedCount == 1 { // 0: already deleted, nothing was written
					acked[w][target]++
				}
			}
		}()
	}
	rep, err := run(context.Background(), c, plan, mongo.ExecOptions{BackupDir: t.TempDir(),
		Progress: func(p model.Progress) { next.Store(int64(p.GroupsDone)) }})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	for _, e := range errs {
		if e != nil {
			t.Fatalf("writer: %v", e)
		}
	}

	now := rawDocs(t, db, "users")
	backed := map[string]bson.Raw{}
	for _, d := range backupDocs(t, rep.BackupPath) {
		backed[canonID(d)] = d // the last copy wins, as in a restore
	}
	changed := map[string]bool{}
	results := rep.Groups
	for _, g := range rep.Sample { // a streamed run reports a sample, and the totals
		results = append(results, g.GroupResult)
	}
	for _, g := range results {
		for _, s := range g.Skipped {
			if s.Reason != mongo.ReasonChanged {
				t.Errorf("group %d: %s skipped: %s", g.Group+1, s.ID, s.Reason)
			}
			changed[string(s.ID)] = true
		}
	}
	if rep.Streamed {
		// The sample may leave some out: what is left of the planned deletes was skipped.
		for n := range planned {
			if key := string(idText[n]); now[key] != nil {
				changed[key] = true
			}
		}
		if len(changed) != rep.SkippedDocs {
			t.Errorf("%d planned documents left, %d reported skipped", len(changed), rep.SkippedDocs)
		}
	}
	total := map[int]int{}
	for _, a := range acked {
		for k, n := range a {
			total[k] += n
		}
	}
	var written, onPlanned, keptChanged, lost int
	for k, n := range total {
		written += n
		key := string(idText[k])
		if planned[k] {
			onPlanned += n
		}
		d, ok := now[key]
		where := "collection"
		if !ok {
			d, ok = backed[key]
			where = "backup"
		}
		if !ok {
			t.Errorf("%s: updated %d times, gone and not in the backup", key, n)
			lost += n
			continue
		}
		if got := int(d.Lookup("c").Int32()); got != n {
			t.Errorf("%s: %d acknowledged increments, the %s copy holds %d", key, n, where, got)
			lost += max(n-got, 0)
		}
	}
	for key := range changed {
		if _, ok := now[key]; !ok {
			t.Errorf("%s reported changed since read but is gone", key)
		}
		if k, ok := index[key]; !ok || total[k] == 0 {
			t.Errorf("%s reported changed since read but nothing updated it", key)
		}
		keptChanged++
	}
	for n := range planned {
		key := string(idText[n])
		if _, left := now[key]; left != changed[key] {
			t.Errorf("%s: still there %v, reported changed %v", key, left, changed[key])
		}
	}
	if rep.Deleted+keptChanged != len(planned) {
		t.Errorf("deleted %d + kept %d != planned %d", rep.Deleted, keptChanged, len(planned))
	}
	t.Logf("concurrent writers: %d updates acknowledged, %d on documents planned for deletion, "+
		"%d planned documents kept because they changed since read, %d deleted, %d updates lost",
		written, onPlanned, keptChanged, rep.Deleted, lost)
}
