package rsproxy_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo/mongotest"
	"github.com/dupes-tui/dupes/mongo/mongotest/rsproxy"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// connect starts a proxy in front of the live server and a driver client on its URI.
func connect(t *testing.T, members int) (*rsproxy.Proxy, *mongo.Client) {
	t.Helper()
	p := rsproxy.Start(t, mongotest.URI(t), rsproxy.Options{Members: members})
	c, err := mongo.Connect(options.Client().ApplyURI(p.URI()).SetServerSelectionTimeout(10 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return p, c
}

// The driver takes the proxy for a replica set: it finds the primary, sends writes and
// primary reads there, and secondary reads to a secondary, with their $readPreference.
func TestDriverSeesAReplicaSet(t *testing.T) {
	ctx := context.Background()
	db := mongotest.DB(t)
	p, c := connect(t, 3)
	coll := c.Database(db.Name()).Collection("users")
	if _, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: 1}, {Key: "email", Value: "a@x"}}); err != nil {
		t.Fatalf("insert through the proxy: %v", err)
	}
	sec := c.Database(db.Name()).Collection("users", options.Collection().SetReadPreference(readpref.Secondary()))
	for range 5 {
		var got bson.Raw
		if err := sec.FindOne(ctx, bson.D{}, options.FindOne().SetComment("probe")).Decode(&got); err != nil {
			t.Fatalf("secondary read: %v", err)
		}
	}
	if err := coll.FindOne(ctx, bson.D{}, options.FindOne().SetComment("primary probe")).Err(); err != nil {
		t.Fatalf("primary read: %v", err)
	}
	var inserts, probes, primaryProbes int
	for _, s := range p.Commands() {
		switch {
		case s.Command == "insert":
			inserts++
			if s.Member != 0 {
				t.Errorf("a write reached a secondary: %s", s)
			}
		case s.Command == "find" && s.Comment == "probe":
			probes++
			if s.Member == 0 || s.ReadPref != "secondary" {
				t.Errorf("a secondary read went elsewhere: %s", s)
			}
		case s.Command == "find" && s.Comment == "primary probe":
			primaryProbes++
			if s.Member != 0 || s.ReadPref != "" {
				t.Errorf("a primary read went elsewhere: %s", s)
			}
		}
	}
	if inserts != 1 || probes != 5 || primaryProbes != 1 {
		t.Fatalf("recorded %d inserts, %d secondary reads, %d primary reads; want 1, 5, 1:\n%v",
			inserts, probes, primaryProbes, p.Commands())
	}
	if s := p.Commands(); s[0].Command == "" || s[0].DB == "" {
		t.Errorf("the first command is not named: %s", s[0])
	}
}

// replSetGetStatus is the script's: states, optimes behind by the lag set (and changed) while
// running, and the refusal DenyStatus asks for.
func TestReplSetGetStatusIsScripted(t *testing.T) {
	ctx := context.Background()
	p, c := connect(t, 3)
	status := func() bson.Raw {
		t.Helper()
		var st bson.Raw
		if err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "replSetGetStatus", Value: 1}}).Decode(&st); err != nil {
			t.Fatalf("replSetGetStatus: %v", err)
		}
		return st
	}
	lagOf := func(st bson.Raw, i int) time.Duration {
		ms, _ := st.Lookup("members").Array().Values()
		primary := ms[0].Document().Lookup("optimeDate").Time()
		return primary.Sub(ms[i].Document().Lookup("optimeDate").Time())
	}
	p.SetLag(2, 40*time.Second)
	st := status()
	if name, _ := st.Lookup("set").StringValueOK(); name != p.SetName() {
		t.Errorf("set %q, want %q", name, p.SetName())
	}
	ms, _ := st.Lookup("members").Array().Values()
	if len(ms) != 3 || ms[0].Document().Lookup("stateStr").StringValue() != "PRIMARY" ||
		ms[1].Document().Lookup("stateStr").StringValue() != "SECONDARY" {
		t.Fatalf("members: %v", ms)
	}
	if l := lagOf(st, 2); l < 39*time.Second || l > 41*time.Second {
		t.Errorf("member 2 lags %v, want 40s", l)
	}
	if l := lagOf(st, 1); l > time.Second {
		t.Errorf("member 1 lags %v, want none", l)
	}
	p.SetLag(2, 0)
	if l := lagOf(status(), 2); l > time.Second {
		t.Errorf("after SetLag(2, 0) member 2 lags %v", l)
	}
	p.DenyStatus(true)
	err := c.Database("admin").RunCommand(ctx, bson.D{{Key: "replSetGetStatus", Value: 1}}).Err()
	var se mongo.ServerError
	if !errors.As(err, &se) || !se.HasErrorCode(13) {
		t.Fatalf("denied replSetGetStatus: %v, want code 13", err)
	}
}

// Slow holds a command, and ends it at its maxTimeMS when it honours it; a getMore is held
// against what its cursor has left.
func TestSlowHonoursMaxTime(t *testing.T) {
	ctx := context.Background()
	db := mongotest.DB(t)
	docs := make([]any, 10)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: i}}
	}
	if _, err := db.Collection("c").InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	p, c := connect(t, 2)
	// A find carrying maxTimeMS 50 held 2s: expired, as a server would answer.
	p.Slow("find", 2*time.Second, true)
	cmd := bson.D{{Key: "find", Value: "c"}, {Key: "maxTimeMS", Value: int64(50)}}
	err := c.Database(db.Name()).RunCommand(ctx, cmd).Err()
	var se mongo.ServerError
	if !errors.As(err, &se) || !se.HasErrorCode(50) {
		t.Fatalf("slow find with maxTimeMS 50: %v, want code 50", err)
	}
	// Without honour, it answers late but whole.
	p.Slow("find", 100*time.Millisecond, false)
	if err := c.Database(db.Name()).RunCommand(ctx, cmd).Err(); err != nil {
		t.Fatalf("slow find, maxTimeMS ignored: %v", err)
	}
	// A cursor opened with maxTimeMS 300 whose getMore is held 1s expires midway.
	p.Slow("find", 0, false)
	p.Slow("getMore", time.Second, true)
	cur, err := c.Database(db.Name()).RunCommandCursor(ctx, bson.D{{Key: "find", Value: "c"},
		{Key: "batchSize", Value: 2}, {Key: "maxTimeMS", Value: int64(300)}})
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close(ctx)
	n := 0
	for cur.Next(ctx) {
		n++
	}
	if !errors.As(cur.Err(), &se) || !se.HasErrorCode(50) || n != 2 {
		t.Fatalf("getMore past the cursor's maxTimeMS: %d read, %v; want 2 read then code 50", n, cur.Err())
	}
}

// A secondary refuses a write, as a real one does: a write sent there by mistake fails.
func TestSecondaryRefusesWrites(t *testing.T) {
	db := mongotest.DB(t)
	p, c := connect(t, 2)
	cmd := bson.D{{Key: "insert", Value: "c"}, {Key: "documents", Value: bson.A{bson.D{{Key: "_id", Value: 1}}}}}
	err := c.Database(db.Name()).RunCommand(context.Background(), cmd, options.RunCmd().SetReadPreference(readpref.Secondary())).Err()
	var se mongo.ServerError
	if !errors.As(err, &se) || !se.HasErrorCode(10107) {
		t.Fatalf("insert on a secondary: %v, want NotWritablePrimary (10107)", err)
	}
	if n, _ := db.Collection("c").CountDocuments(context.Background(), bson.D{}); n != 0 {
		t.Fatalf("the refused insert reached the server: %d documents", n)
	}
	if s := p.Commands(); s[len(s)-1].Member != 1 {
		t.Fatalf("the insert was not sent to the secondary: %s", s[len(s)-1])
	}
}
