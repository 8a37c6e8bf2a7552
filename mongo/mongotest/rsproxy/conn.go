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
	hello  bool // rewrite it (hello, or legacy isMaster when legacy)
	legacy bool // the request was isMaster / ismaster: answer with ismaster
	// timed: the request opens (find, aggregate) or continues (getMore, cursor) a cursor
	// under maxTimeMS, of which budget was left when it was sent: the time the backend takes
	// to answer counts against it, as a server counts its processing time.
	timed  bool
	budget time.Duration
	cursor int64
	sent   time.Time
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
		pd, expired := p.hold(s, body)
		if expired {
			if !cn.send(reply(f, maxTimeExpired(s))) {
				return
			}
			continue
		}
		switch {
		case isHello(s.Command):
			cn.expect(f.requestID(), pending{hello: true, legacy: s.Command != "hello"})
		case pd.timed:
			pd.sent = time.Now()
			cn.expect(f.requestID(), pd)
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
				case pd.timed:
					id := pd.cursor
					if id == 0 {
						id, _ = body.Lookup("cursor", "id").AsInt64OK()
					}
					if id != 0 {
						p.mu.Lock()
						p.budgets[id] = max(pd.budget-time.Since(pd.sent), 0)
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
// maxTimeMS (for a getMore, what its cursor has left) runs out first and the rule honours
// it, that long and reports expired. pd says, for a command under maxTimeMS, what is left.
func (p *Proxy) hold(s Seen, body bson.Raw) (pd pending, expired bool) {
	p.mu.Lock()
	rule := p.slow[s.Command]
	switch s.Command {
	case "find", "aggregate":
		pd.budget, pd.timed = time.Duration(s.MaxTimeMS)*time.Millisecond, s.MaxTimeMS > 0
	case "getMore":
		pd.cursor, _ = body.Lookup("getMore").AsInt64OK()
		pd.budget, pd.timed = p.budgets[pd.cursor]
	}
	p.mu.Unlock()
	d := rule.d
	if rule.honour && pd.timed && pd.budget < d {
		d, expired = pd.budget, true
	}
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-p.done:
			t.Stop()
		}
	}
	pd.budget = max(pd.budget-d, 0)
	return pd, expired
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
