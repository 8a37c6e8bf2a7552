package mongo_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/dupes-tui/dupes/model"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
	driver "go.mongodb.org/mongo-driver/v2/mongo"
)

// seedCensus makes shop.users: a non-unique index on sku, email nearly unique with 3 copies
// of one value, status of two values; and shop.logs, whose documents repeat whole.
func seedCensus(t *testing.T, db string) {
	t.Helper()
	var users []bson.D
	for i := range 60 {
		email := fmt.Sprintf("u%d@x", i)
		if i < 3 {
			email = "same@x"
		}
		users = append(users, bson.D{{Key: "_id", Value: i}, {Key: "email", Value: email},
			{Key: "sku", Value: i % 30}, {Key: "status", Value: []string{"on", "off"}[i%2]}})
	}
	insert(t, db, "users", users...)
	_, err := mongotest.Client(t).Database(db).Collection("users").Indexes().CreateOne(context.Background(),
		driver.IndexModel{Keys: bson.D{{Key: "sku", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	var logs []bson.D
	for i := range 10 {
		logs = append(logs, bson.D{{Key: "_id", Value: i}, {Key: "msg", Value: "boot"}})
	}
	insert(t, db, "logs", logs...)
}

func TestCandidatesAndCounts(t *testing.T) {
	c, db := connect(t)
	seedCensus(t, db)
	ns := model.Namespace{DB: db, Coll: "users"}
	cands, err := c.Candidates(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, cd := range cands {
		order = append(order, fmt.Sprintf("%s:%s:%v", cd.Kind, cd.Key, cd.LooksUnique))
	}
	// The sample of 1 000 reads all 60: email has 58 distinct values in 60.
	if want := []string{"index:sku:true", "field:email:true", "field:status:false"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("candidates %v, want %v", order, want)
	}
	var reported []string
	done, notDone := c.CountCandidates(context.Background(), cands, model.Budget{Docs: 120}, func(r model.CandidateCount) {
		reported = append(reported, r.Key.String())
	})
	if len(done) != 2 || len(reported) != 2 || done[0].Err != nil || done[1].Err != nil {
		t.Fatalf("counted %+v, reported %v", done, reported)
	}
	if got := done[0].Count; got.Groups != 30 || got.Surplus != 30 {
		t.Errorf("sku: %+v, want 30 groups, 30 surplus", got)
	}
	if got := done[1].Count; got.Groups != 1 || got.Surplus != 2 {
		t.Errorf("email: %+v, want 1 group, 2 surplus", got)
	}
	if len(notDone) != 1 || notDone[0].Key.String() != "status" || notDone[0].Reason != model.NotDoneDocs {
		t.Errorf("not done: %+v", notDone)
	}
}

func TestCensusOfADatabase(t *testing.T) {
	c, db := connect(t)
	seedCensus(t, db)
	cs, err := c.Census(context.Background(), db, model.CensusOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range cs.Results {
		if r.Err != nil {
			t.Fatalf("%s %s: %v", r.NS, r.Key, r.Err)
		}
		got = append(got, fmt.Sprintf("%s %s %d/%d", r.NS.Coll, r.Key, r.Count.Groups, r.Count.Surplus))
	}
	want := []string{"users sku 30/30", "logs whole document 1/9", "users email 1/2", "users whole document 0/0"}
	if !reflect.DeepEqual(got, want) || !cs.Complete() || cs.Collections != 2 {
		t.Fatalf("census %v (complete %v, %d collections), want %v", got, cs.Complete(), cs.Collections, want)
	}
}
