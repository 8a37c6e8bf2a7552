package mongo_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkExecute measures a whole plan run (re-read, backup with fsync, guarded delete):
// 2000 groups of 3, 4000 documents deleted per run.
func BenchmarkExecute(b *testing.B) {
	const groups, size = 2000, 3
	db := mongotest.DB(b)
	ctx := context.Background()
	c, err := mongo.Connect(ctx, mongotest.URI(b), mongo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	ns := model.Namespace{DB: db.Name(), Coll: "users"}
	plan := model.Plan{Version: model.PlanVersion, NS: ns, Key: model.Key{Fields: []string{"email"}}, CreatedAt: time.Now()}
	var docs []any
	for g := 0; g < groups; g++ {
		email := model.Value(`"u` + strconv.Itoa(g) + `@x.com"`)
		pg := model.PlanGroup{Key: []model.Value{email}}
		for m := 0; m < size; m++ {
			id := int32(g*10 + m)
			docs = append(docs, bson.D{{Key: "_id", Value: id}, {Key: "email", Value: "u" + strconv.Itoa(g) + "@x.com"},
				{Key: "name", Value: "someone with a name"}, {Key: "n", Value: int32(m)}})
			v := model.Value(`{"$numberInt":"` + strconv.Itoa(int(id)) + `"}`)
			if m == 0 {
				pg.Keep = v
			} else {
				pg.Delete = append(pg.Delete, v)
			}
		}
		plan.Groups = append(plan.Groups, pg)
	}
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := db.Collection("users").Drop(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Collection("users").InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir() // a new directory each time: no resume
		b.StartTimer()
		start := time.Now()
		rep, err := c.Execute(ctx, plan, mongo.ExecOptions{BackupDir: dir})
		elapsed += time.Since(start)
		if err != nil || rep.Deleted != groups*(size-1) {
			b.Fatalf("execute: %v deleted %d", err, rep.Deleted)
		}
	}
	b.ReportMetric(float64(b.N*groups*(size-1))/elapsed.Seconds(), "docs/s")
}
