package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
)

// MemberLag is how far one data-bearing secondary is behind the primary.
type MemberLag struct {
	Name string // host:port, as the replica set's config names it
	Lag  time.Duration
}

// ErrNoReplicaSet says the server has no secondaries to lag: a standalone, a mongos, or an
// engine without replication (FerretDB, mongo-java-server). ReplicationLag wraps it with why.
var ErrNoReplicaSet = errors.New("no replica set")

// MajorityName is the one MemberLag the hello fallback gives: how far the majority of the set
// is behind the primary, not any one secondary.
const MajorityName = "(majority)"

// Server error codes ReplicationLag tells apart.
const (
	codeUnauthorized         = 13
	codeCommandNotFound      = 59
	codeNoReplicationEnabled = 76
)

// ReplicationLag is how far each data-bearing secondary is behind the primary:
// replSetGetStatus's optimes, the primary's minus each SECONDARY's, less the delay configured
// for a delayed member (replSetGetConfig, when the user may run it), never below zero. A
// member that is down, recovering or an arbiter is left out: it does not follow the writes,
// and pausing for it would pause forever. Without a primary the freshest member stands for it.
//
// A user who may not run replSetGetStatus (it needs clusterMonitor) gets the fallback: hello's
// lastWrite on the primary, its last write date minus the majority's, as one MemberLag named
// MajorityName. That is how far the majority is behind, which a lagging minority does not
// move: hello gives each member's last write only to a direct connection to that member.
//
// A server that is no replica set gives an error wrapping ErrNoReplicaSet, saying what it is.
func (c *Client) ReplicationLag(ctx context.Context) ([]MemberLag, error) {
	raw, err := c.adminCommand(ctx, "replSetGetStatus")
	if err == nil {
		return parseReplSetStatus(raw, c.memberDelays(ctx))
	}
	var se mongo.ServerError
	if !errors.As(err, &se) {
		return nil, c.wrap("read the replication lag", err)
	}
	switch {
	case se.HasErrorCode(codeNoReplicationEnabled):
		return nil, fmt.Errorf("%w: the server is a standalone (replSetGetStatus: not running with --replSet)", ErrNoReplicaSet)
	case se.HasErrorCode(codeUnauthorized), se.HasErrorCode(codeCommandNotFound):
		hello, herr := c.adminCommand(ctx, "hello")
		var he mongo.ServerError
		if errors.As(herr, &he) && he.HasErrorCode(codeCommandNotFound) {
			hello, herr = c.adminCommand(ctx, "isMaster") // servers before hello (mongo-java-server)
		}
		if herr != nil {
			return nil, c.wrap("read the replication lag", herr)
		}
		return parseHelloLag(hello, se.HasErrorCode(codeUnauthorized))
	}
	return nil, c.wrap("read the replication lag", err)
}

// adminCommand runs {name: 1} on the primary's admin database: the primary's view of the set
// is the one the writes meet, whatever read preference the client was given.
func (c *Client) adminCommand(ctx context.Context, name string) (bson.Raw, error) {
	return c.mc.Database("admin").RunCommand(ctx, c.withComment(bson.D{{Key: name, Value: 1}}),
		options.RunCmd().SetReadPreference(readpref.Primary())).Raw()
}

// memberDelays reads each delayed member's configured delay (secondaryDelaySecs, slaveDelay
// before MongoDB 5.0), by name; nil when the config cannot be read.
func (c *Client) memberDelays(ctx context.Context) map[string]time.Duration {
	raw, err := c.adminCommand(ctx, "replSetGetConfig")
	if err != nil {
		return nil
	}
	return parseDelays(raw)
}

func parseDelays(raw bson.Raw) map[string]time.Duration {
	members, ok := raw.Lookup("config", "members").ArrayOK()
	if !ok {
		return nil
	}
	vals, _ := members.Values()
	out := map[string]time.Duration{}
	for _, v := range vals {
		m, ok := v.DocumentOK()
		if !ok {
			continue
		}
		name, _ := m.Lookup("host").StringValueOK()
		for _, f := range []string{"secondaryDelaySecs", "slaveDelay"} {
			if s, ok := number(m.Lookup(f)); ok && s > 0 {
				out[name] = time.Duration(s * float64(time.Second))
			}
		}
	}
	return out
}

// Member states replSetGetStatus reports.
const (
	statePrimary   = 1
	stateSecondary = 2
)

// parseReplSetStatus reads replSetGetStatus: each SECONDARY's lag behind the PRIMARY (or, with
// none, the freshest member), less its configured delay.
func parseReplSetStatus(raw bson.Raw, delays map[string]time.Duration) ([]MemberLag, error) {
	arr, ok := raw.Lookup("members").ArrayOK()
	if !ok {
		return nil, errors.New("replSetGetStatus lists no members")
	}
	vals, _ := arr.Values()
	type member struct {
		name  string
		state int
		at    time.Time
	}
	var ms []member
	var primary, freshest time.Time
	for _, v := range vals {
		d, ok := v.DocumentOK()
		if !ok {
			continue
		}
		m := member{}
		m.name, _ = d.Lookup("name").StringValueOK()
		s, _ := number(d.Lookup("state"))
		m.state = int(s)
		at, ok := optime(d)
		if !ok {
			continue // down, or not yet synced: no optime to compare
		}
		m.at = at
		if m.state == statePrimary {
			primary = at
		}
		if at.After(freshest) {
			freshest = at
		}
		ms = append(ms, m)
	}
	if primary.IsZero() {
		primary = freshest
	}
	out := []MemberLag{}
	for _, m := range ms {
		if m.state != stateSecondary {
			continue
		}
		lag := max(0, primary.Sub(m.at)-delays[m.name])
		out = append(out, MemberLag{Name: m.name, Lag: lag})
	}
	return out, nil
}

// optime is a member's last applied operation's time: optimeDate, else the seconds of
// optime's timestamp (optime is {ts, t} since protocol version 1, a bare timestamp before).
func optime(member bson.Raw) (time.Time, bool) {
	if dt, ok := member.Lookup("optimeDate").DateTimeOK(); ok && dt > 0 {
		return time.UnixMilli(dt), true
	}
	v := member.Lookup("optime")
	if d, ok := v.DocumentOK(); ok {
		v = d.Lookup("ts")
	}
	if t, _, ok := v.TimestampOK(); ok && t > 0 {
		return time.Unix(int64(t), 0), true
	}
	return time.Time{}, false
}

// parseHelloLag reads hello when replSetGetStatus is refused (denied: not authorized) or
// unknown: no setName means no replica set; otherwise the majority's lag from lastWrite.
func parseHelloLag(raw bson.Raw, denied bool) ([]MemberLag, error) {
	if msg, _ := raw.Lookup("msg").StringValueOK(); msg == "isdbgrid" {
		return nil, fmt.Errorf("%w: the server is a mongos, and the lag of the shards' replica sets is not read through it", ErrNoReplicaSet)
	}
	if _, ok := raw.Lookup("setName").StringValueOK(); !ok {
		if denied {
			return nil, fmt.Errorf("%w: the server is a standalone", ErrNoReplicaSet)
		}
		return nil, fmt.Errorf("%w: the server has no replication (replSetGetStatus is not a command here)", ErrNoReplicaSet)
	}
	last, ok1 := raw.Lookup("lastWrite", "lastWriteDate").DateTimeOK()
	major, ok2 := raw.Lookup("lastWrite", "majorityWriteDate").DateTimeOK()
	if !ok1 || !ok2 {
		return nil, errors.New("replSetGetStatus is not allowed to this user (it needs the clusterMonitor role), and hello gives no lastWrite to read the lag from")
	}
	return []MemberLag{{Name: MajorityName, Lag: max(0, time.UnixMilli(last).Sub(time.UnixMilli(major)))}}, nil
}

// number reads an int32, int64 or double.
func number(v bson.RawValue) (float64, bool) {
	switch v.Type {
	case bson.TypeInt32:
		return float64(v.Int32()), true
	case bson.TypeInt64:
		return float64(v.Int64()), true
	case bson.TypeDouble:
		return v.Double(), true
	}
	return 0, false
}
