package rsproxy

import (
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// replaced are the hello fields the script decides; the backend's other fields (wire
// versions, sizes, session timeout, auth mechanisms…) pass through.
var replaced = map[string]bool{
	"ismaster": true, "isWritablePrimary": true, "secondary": true, "setName": true, "setVersion": true,
	"hosts": true, "passives": true, "arbiters": true, "primary": true, "me": true, "electionId": true,
	"topologyVersion": true, "lastWrite": true, "compression": true, "msg": true, "arbiterOnly": true,
	"hidden": true,
}

// hello rewrites the backend's hello (or isMaster) reply as member's.
func (p *Proxy) hello(member int, legacy bool, b bson.Raw) bson.Raw {
	if ok, _ := b.Lookup("ok").AsFloat64OK(); ok != 1 {
		return b // a failed handshake (bad credentials…) says so as the backend said it
	}
	elems, err := b.Elements()
	if err != nil {
		return b
	}
	p.mu.Lock()
	lag := p.lag[member]
	p.mu.Unlock()
	primary := member == 0
	writable := "isWritablePrimary"
	if legacy {
		writable = "ismaster"
	}
	now := time.Now()
	written := bson.NewDateTimeFromTime(now.Add(-lag))
	d := bson.D{
		{Key: writable, Value: primary},
		{Key: "secondary", Value: !primary},
		{Key: "setName", Value: p.set},
		{Key: "setVersion", Value: int32(1)},
		{Key: "hosts", Value: p.Addrs()},
		{Key: "primary", Value: p.members[0].addr},
		{Key: "me", Value: p.members[member].addr},
		{Key: "lastWrite", Value: bson.D{
			{Key: "opTime", Value: opTime(now.Add(-lag))},
			{Key: "lastWriteDate", Value: written},
			{Key: "majorityOpTime", Value: opTime(now.Add(-lag))},
			{Key: "majorityWriteDate", Value: written},
		}},
	}
	if primary {
		d = append(d, bson.E{Key: "electionId", Value: p.electionID})
	}
	for _, e := range elems {
		if !replaced[e.Key()] {
			d = append(d, bson.E{Key: e.Key(), Value: e.Value()})
		}
	}
	out, err := bson.Marshal(d)
	if err != nil {
		return b
	}
	return out
}

// opTime is a replication optime at t, in term 1.
func opTime(t time.Time) bson.D {
	return bson.D{{Key: "ts", Value: bson.Timestamp{T: uint32(t.Unix()), I: 1}}, {Key: "t", Value: int64(1)}}
}

// status is replSetGetStatus as member answers it: every member's state and optime, each
// secondary's behind the primary's by its lag; or the refusal DenyStatus asked for.
func (p *Proxy) status(member int) bson.Raw {
	p.mu.Lock()
	deny := p.deny
	lags := append([]time.Duration(nil), p.lag...)
	down := append([]bool(nil), p.down...)
	p.mu.Unlock()
	if deny {
		return errorDoc(13, "Unauthorized", "not authorized on admin to execute command { replSetGetStatus: 1 }")
	}
	now := time.Now()
	var ms bson.A
	for i, m := range p.members {
		at := now.Add(-lags[i])
		state, str := int32(2), "SECONDARY"
		if i == 0 {
			state, str = 1, "PRIMARY"
		}
		health := 1.0
		if down[i] {
			state, str, health = 8, "(not reachable/healthy)", 0
		}
		doc := bson.D{
			{Key: "_id", Value: int32(i)},
			{Key: "name", Value: m.addr},
			{Key: "health", Value: health},
			{Key: "state", Value: state},
			{Key: "stateStr", Value: str},
			{Key: "uptime", Value: int32(now.Sub(p.started).Seconds())},
		}
		if !down[i] {
			date := bson.NewDateTimeFromTime(at)
			doc = append(doc,
				bson.E{Key: "optime", Value: opTime(at)},
				bson.E{Key: "optimeDurable", Value: opTime(at)},
				bson.E{Key: "optimeDate", Value: date},
				bson.E{Key: "optimeDurableDate", Value: date},
				bson.E{Key: "lastAppliedWallTime", Value: date},
				bson.E{Key: "lastDurableWallTime", Value: date},
			)
		}
		if i == member {
			doc = append(doc, bson.E{Key: "self", Value: true})
		} else {
			doc = append(doc,
				bson.E{Key: "lastHeartbeat", Value: bson.NewDateTimeFromTime(now)},
				bson.E{Key: "pingMs", Value: int64(0)})
		}
		if i != 0 {
			doc = append(doc, bson.E{Key: "syncSourceHost", Value: p.members[0].addr})
		}
		doc = append(doc, bson.E{Key: "configVersion", Value: int32(1)}, bson.E{Key: "configTerm", Value: int64(1)})
		ms = append(ms, doc)
	}
	myState := int32(2)
	if member == 0 {
		myState = 1
	}
	committed := now.Add(-maxLag(lags))
	out, _ := bson.Marshal(bson.D{
		{Key: "set", Value: p.set},
		{Key: "date", Value: bson.NewDateTimeFromTime(now)},
		{Key: "myState", Value: myState},
		{Key: "term", Value: int64(1)},
		{Key: "heartbeatIntervalMillis", Value: int64(2000)},
		{Key: "majorityVoteCount", Value: int32(len(p.members)/2 + 1)},
		{Key: "writeMajorityCount", Value: int32(len(p.members)/2 + 1)},
		{Key: "optimes", Value: bson.D{
			{Key: "lastCommittedOpTime", Value: opTime(committed)},
			{Key: "lastCommittedWallTime", Value: bson.NewDateTimeFromTime(committed)},
			{Key: "appliedOpTime", Value: opTime(now.Add(-lags[member]))},
			{Key: "durableOpTime", Value: opTime(now.Add(-lags[member]))},
		}},
		{Key: "members", Value: ms},
		{Key: "ok", Value: 1.0},
	})
	return out
}

// maxLag is the largest lag: the majority commit point is at most that far behind (a
// simplification: a real set's is the majority's, not the slowest member's).
func maxLag(lags []time.Duration) time.Duration {
	var m time.Duration
	for _, l := range lags {
		m = max(m, l)
	}
	return m
}
