package mongo

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// recorded reads a replSetGetStatus (or hello, replSetGetConfig) document from testdata/replset.
func recorded(t *testing.T, name string) bson.Raw {
	t.Helper()
	js, err := os.ReadFile(filepath.Join("testdata", "replset", name))
	if err != nil {
		t.Fatal(err)
	}
	var raw bson.Raw
	if err := bson.UnmarshalExtJSON(js, false, &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return raw
}

// The lag of each data-bearing secondary, from replSetGetStatus as MongoDB's manual records it
// and as a busy set reports it: the primary's optime minus the member's, less a delayed
// member's configured delay; down members and arbiters left out; read from the primary's view
// or a secondary's, and from protocol version 0's bare timestamps.
func TestParseReplSetStatus(t *testing.T) {
	for _, tc := range []struct {
		file, config string
		want         []MemberLag
	}{
		{"primary-4.0.json", "", []MemberLag{{"m1.example.net:27017", 0}, {"m2.example.net:27017", 0}}},
		// Seen from a secondary that has heard of writes its primary's heartbeat has not told
		// yet: ahead of the primary is no lag.
		{"secondary-4.0.json", "", []MemberLag{{"m2.example.net:27017", 0}, {"m3.example.net:27017", 0}}},
		{"pv0-2.6.json", "", []MemberLag{{"m2.example.net:27017", 0}, {"m3.example.net:27017", 0}}},
		{"busy-5.0.json", "busy-5.0-config.json", []MemberLag{{"db2:27017", 14 * time.Second}, {"db3:27017", 3 * time.Second}}},
		// Without the config (replSetGetConfig refused), the delayed member counts its delay.
		{"busy-5.0.json", "", []MemberLag{{"db2:27017", 14 * time.Second}, {"db3:27017", time.Hour + 3*time.Second}}},
	} {
		var delays map[string]time.Duration
		if tc.config != "" {
			delays = parseDelays(recorded(t, tc.config))
		}
		got, err := parseReplSetStatus(recorded(t, tc.file), delays)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s (config %q): %v, want %v", tc.file, tc.config, got, tc.want)
		}
	}
}

// Without optimeDate, the optime's timestamp tells; with no PRIMARY (an election), the
// freshest member stands for it.
func TestParseReplSetStatusFallbacks(t *testing.T) {
	status := func(members ...bson.D) bson.Raw {
		a := bson.A{}
		for _, m := range members {
			a = append(a, m)
		}
		raw, err := bson.Marshal(bson.D{{Key: "members", Value: a}, {Key: "ok", Value: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	ts := func(sec uint32) bson.D {
		return bson.D{{Key: "ts", Value: bson.Timestamp{T: sec, I: 1}}, {Key: "t", Value: int64(1)}}
	}
	member := func(name string, state int32, optime bson.D) bson.D {
		return bson.D{{Key: "name", Value: name}, {Key: "state", Value: state}, {Key: "optime", Value: optime}}
	}
	got, err := parseReplSetStatus(status(member("a:1", 1, ts(1000)), member("b:1", 2, ts(990))), nil)
	if err != nil || !reflect.DeepEqual(got, []MemberLag{{"b:1", 10 * time.Second}}) {
		t.Errorf("optime only: %v, %v; want b:1 10s behind", got, err)
	}
	got, err = parseReplSetStatus(status(member("a:1", 2, ts(1000)), member("b:1", 2, ts(975))), nil)
	if err != nil || !reflect.DeepEqual(got, []MemberLag{{"a:1", 0}, {"b:1", 25 * time.Second}}) {
		t.Errorf("no primary: %v, %v; want b:1 25s behind a:1", got, err)
	}
	if _, err := parseReplSetStatus(bson.Raw(mustMarshal(t, bson.D{{Key: "ok", Value: 1}})), nil); err == nil {
		t.Error("a status without members: no error")
	}
}

// hello, for a user who may not run replSetGetStatus: the majority's lag from lastWrite; no
// setName is no replica set, and a mongos says so.
func TestParseHelloLag(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 0, 5, 0, time.UTC)
	hello := func(d bson.D) bson.Raw { return mustMarshal(t, d) }
	got, err := parseHelloLag(hello(bson.D{
		{Key: "isWritablePrimary", Value: true}, {Key: "setName", Value: "rs0"},
		{Key: "lastWrite", Value: bson.D{
			{Key: "lastWriteDate", Value: bson.NewDateTimeFromTime(at)},
			{Key: "majorityWriteDate", Value: bson.NewDateTimeFromTime(at.Add(-12 * time.Second))},
		}},
	}), true)
	if err != nil || !reflect.DeepEqual(got, []MemberLag{{MajorityName, 12 * time.Second}}) {
		t.Errorf("majority lag: %v, %v; want 12s", got, err)
	}
	for _, tc := range []struct {
		doc  bson.D
		want string
	}{
		{bson.D{{Key: "isWritablePrimary", Value: true}}, "standalone"},
		{bson.D{{Key: "isWritablePrimary", Value: true}, {Key: "msg", Value: "isdbgrid"}}, "mongos"},
	} {
		_, err := parseHelloLag(hello(tc.doc), true)
		if !errors.Is(err, ErrNoReplicaSet) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("hello %v: %v, want ErrNoReplicaSet naming %q", tc.doc, err, tc.want)
		}
	}
	_, err = parseHelloLag(hello(bson.D{{Key: "setName", Value: "rs0"}}), true)
	if err == nil || errors.Is(err, ErrNoReplicaSet) || !strings.Contains(err.Error(), "clusterMonitor") {
		t.Errorf("a set member's hello without lastWrite: %v, want an error naming clusterMonitor", err)
	}
}

func mustMarshal(t *testing.T, d bson.D) bson.Raw {
	t.Helper()
	raw, err := bson.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
