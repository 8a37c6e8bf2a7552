package rsproxy

import (
	"net"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// serve accepts the member's connections, each forwarded to a connection of its own to the
// backend.
func (m *member) serve() {
	for {
		c, err := m.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", m.p.backend)
		if err != nil {
			c.Close()
			continue
		}
		if !m.p.track(c, s) {
			c.Close()
			s.Close()
			return
		}
		cn := &conn{m: m, client: c, server: s, pending: map[int32]pending{}}
		go cn.up()
		go cn.down()
	}
}

// conn is one driver connection to a member and its backend connection.
type conn struct {
	m              *member
	client, server net.Conn
	wmu            sync.Mutex // writes to client: forwarded replies and the proxy's own

	mu      sync.Mutex
	pending map[int32]pending // by request id: the replies the proxy must read
}

// pending says what to do with the reply to a request.
type pending struct {
	hello  bool          // rewrite it (hello, or legacy isMaster when legacy)
	legacy bool          // the request was isMaster / ismaster: answer with ismaster
	budget time.Duration // opens a cursor with maxTimeMS: what the cursor has left
}

func (cn *conn) close() {
	cn.client.Close()
	cn.server.Close()
	cn.m.p.untrack(cn.client, cn.server)
}

// up reads the driver's requests, records them, answers the ones the proxy answers itself,
// and forwards the rest.
func (cn *conn) up() {
	defer cn.close()
	p := cn.m.p
	for {
		f, err := readFrame(cn.client)
		if err != nil {
			return
		}
		body := f.body()
		if body == nil {
			if _, err := cn.server.Write(f); err != nil {
				return
			}
			continue
		}
		s := p.record(cn.m.i, f, body)
		if ans := p.answer(cn.m.i, s); ans != nil {
			if !cn.send(reply(f, ans)) {
				return
			}
			continue
		}
		budget, expired := p.hold(s, body)
		if expired {
			if !cn.send(reply(f, maxTimeExpired(s))) {
				return
			}
			continue
		}
		switch {
		case isHello(s.Command):
			cn.expect(f.requestID(), pending{hello: true, legacy: s.Command != "hello"})
		case budget > 0 && (s.Command == "find" || s.Command == "aggregate"):
			cn.expect(f.requestID(), pending{budget: budget})
		}
		if _, err := cn.server.Write(f); err != nil {
			return
		}
	}
}

// down forwards the backend's replies, rewriting the ones up asked for.
func (cn *conn) down() {
	defer cn.close()
	p := cn.m.p
	for {
		f, err := readFrame(cn.server)
		if err != nil {
			return
		}
		if pd, ok := cn.take(f.responseTo()); ok {
			if body := f.body(); body != nil {
				switch {
				case pd.hello:
					f = f.withBody(p.hello(cn.m.i, pd.legacy, body))
				case pd.budget > 0:
					if id, ok := body.Lookup("cursor", "id").AsInt64OK(); ok && id != 0 {
						p.mu.Lock()
						p.budgets[id] = pd.budget
						p.mu.Unlock()
					}
				}
			}
		}
		if !cn.send(f) {
			return
		}
	}
}

// send writes a whole message to the driver.
func (cn *conn) send(f frame) bool {
	cn.wmu.Lock()
	defer cn.wmu.Unlock()
	_, err := cn.client.Write(f)
	return err == nil
}

func (cn *conn) expect(requestID int32, pd pending) {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	cn.pending[requestID] = pd
}

func (cn *conn) take(responseTo int32) (pending, bool) {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	pd, ok := cn.pending[responseTo]
	delete(cn.pending, responseTo)
	return pd, ok
}

// hold applies a Slow rule to a command: it waits the rule's delay, or, when the command's
// maxTimeMS runs out first and the rule honours it, that long and reports expired. budget is
// what is left of the command's (or, for a getMore, its cursor's) maxTimeMS afterwards, 0
// when it has none.
func (p *Proxy) hold(s Seen, body bson.Raw) (budget time.Duration, expired bool) {
	p.mu.Lock()
	rule := p.slow[s.Command]
	budget = time.Duration(s.MaxTimeMS) * time.Millisecond
	var cursor int64
	if s.Command == "getMore" {
		cursor, _ = body.Lookup("getMore").AsInt64OK()
		budget = p.budgets[cursor]
	}
	p.mu.Unlock()
	d := rule.d
	if rule.honour && budget > 0 && budget < d {
		d, expired = budget, true
	}
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-p.done:
			t.Stop()
		}
	}
	if budget > 0 {
		budget = max(budget-d, 0)
		if cursor != 0 {
			p.mu.Lock()
			p.budgets[cursor] = budget
			p.mu.Unlock()
		}
	}
	return budget, expired
}

// isHello is true for the commands whose reply tells the driver what a server is.
func isHello(name string) bool {
	return name == "hello" || name == "isMaster" || name == "ismaster"
}

// writes are the commands a secondary refuses.
var writes = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true, "createIndexes": true,
	"dropIndexes": true, "create": true, "drop": true, "dropDatabase": true, "collMod": true,
	"renameCollection": true,
}

// reads are the commands a secondary serves only to a read that allows a secondary.
var reads = map[string]bool{
	"find": true, "aggregate": true, "count": true, "distinct": true, "listCollections": true,
	"listIndexes": true, "collStats": true, "dbStats": true, "listDatabases": true,
}

// answer is the proxy's own reply to a command, or nil to forward it.
func (p *Proxy) answer(member int, s Seen) bson.Raw {
	switch {
	case s.Command == "replSetGetStatus":
		return p.status(member)
	case member != 0 && writes[s.Command]:
		return errorDoc(10107, "NotWritablePrimary", "not primary")
	case member != 0 && reads[s.Command] && (s.ReadPref == "" || s.ReadPref == "primary"):
		return errorDoc(13435, "NotPrimaryNoSecondaryOk", "not primary and secondaryOk=false")
	}
	return nil
}

// maxTimeExpired is a server's answer to a command that ran past its maxTimeMS.
func maxTimeExpired(Seen) bson.Raw {
	return errorDoc(50, "MaxTimeMSExpired", "operation exceeded time limit")
}

func errorDoc(code int32, name, msg string) bson.Raw {
	b, _ := bson.Marshal(bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: msg},
		{Key: "code", Value: code}, {Key: "codeName", Value: name}})
	return b
}
