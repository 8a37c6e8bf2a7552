// Package rsproxy puts a scripted replica set in front of one real test server, so that tests
// can see where the driver sends each command (primary or secondary), what it carries (the
// comment, $readPreference, maxTimeMS), and how dupes reads replication lag, without running
// a replica set.
//
// Each member is a loopback listener forwarding every connection to the same backend
// (mongo-java-server or FerretDB). The proxy reads the wire protocol's frames and:
//   - rewrites every hello / isMaster reply, so the driver sees a replica set: setName, hosts,
//     primary, me, isWritablePrimary (member 0) or secondary (the others), setVersion,
//     electionId and lastWrite (its lastWriteDate behind by the member's lag). It removes
//     topologyVersion, so the driver polls hello rather than streaming it (an awaitable hello
//     would reach a backend that is no replica set), and compression, so every frame stays
//     readable;
//   - answers replSetGetStatus itself from the script (members, states, optimes behind by
//     each member's lag), or refuses it as Unauthorized (DenyStatus), as for a user without
//     the clusterMonitor role;
//   - refuses on a secondary what a real one refuses: a write (NotWritablePrimary) and a read
//     that carries no $readPreference (NotPrimaryNoSecondaryOk);
//   - records every command it receives (Commands): the member, the name, the database, the
//     collection, the comment, the read preference's mode and maxTimeMS;
//   - can hold a command back and, like a server, end it at its maxTimeMS (Slow).
//
// Use:
//
//	p := rsproxy.Start(t, mongotest.URI(t), rsproxy.Options{Members: 3})
//	c, err := mongo.Connect(ctx, p.URI(), mongo.Options{ReadPreference: "secondaryPreferred"})
//	…
//	p.SetLag(2, 30*time.Second) // member 2's optime is 30 s behind the primary's
//	p.DenyStatus(true)          // replSetGetStatus now fails with code 13
//	for _, s := range p.Commands() {
//		if s.Command == "aggregate" && s.Member == 0 {
//			t.Errorf("the scan read the primary: %s", s)
//		}
//	}
//
// The proxy stops when the test ends. It is test infrastructure: it trusts its backend and
// serves 127.0.0.1 only.
package rsproxy

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TB is what the proxy needs of a test: *testing.T and *testing.B satisfy it. (An interface,
// so that this package does not import testing.)
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Options shape the scripted replica set.
type Options struct {
	// Members is how many listeners make the set; member 0 is the primary, the others
	// secondaries. 3 when 0.
	Members int
	// SetName is the replica set's name, in hello and in the URI; "dupesrs" when empty.
	SetName string
}

// Seen is one command the proxy received.
type Seen struct {
	// Member is the listener it came through (0 is the primary).
	Member int
	// Command is the command's name, the body's first key (a legacy handshake's isMaster
	// included).
	Command string
	// DB is the command's $db (for a legacy handshake, the database of its collection name).
	DB string
	// Coll is the first element's value when it is a string: the collection of find,
	// aggregate, insert, delete…; for getMore, the collection field.
	Coll string
	// Comment is the comment field: a string as sent, another type as Extended JSON, "" when
	// the command carries none.
	Comment string
	// ReadPref is $readPreference's mode, "" when the command carries none (which the driver
	// does for a primary read on a replica set).
	ReadPref string
	// MaxTimeMS is the maxTimeMS field, 0 when absent.
	MaxTimeMS int64
	// Body is the whole command document.
	Body bson.Raw
}

func (s Seen) String() string {
	rp := s.ReadPref
	if rp == "" {
		rp = "none"
	}
	return fmt.Sprintf("member %d: %s %s.%s comment=%q readPreference=%s maxTimeMS=%d",
		s.Member, s.Command, s.DB, s.Coll, s.Comment, rp, s.MaxTimeMS)
}

// Proxy is a running scripted replica set.
type Proxy struct {
	tb         TB
	backend    string   // host:port of the real server
	base       *url.URL // the backend's URI: user, database and options kept in URI
	set        string
	electionID bson.ObjectID
	started    time.Time
	members    []*member
	done       chan struct{}

	mu      sync.Mutex
	lag     []time.Duration
	down    []bool
	deny    bool
	seen    []Seen
	slow    map[string]slowRule
	budgets map[int64]time.Duration // an open cursor's id → what its maxTimeMS has left
	conns   map[net.Conn]bool
	closed  bool
}

// slowRule is Slow's: hold the command d, and honour maxTimeMS or not.
type slowRule struct {
	d      time.Duration
	honour bool
}

// member is one listener.
type member struct {
	p    *Proxy
	i    int
	ln   net.Listener
	addr string
}

// Start listens for each member on a loopback port and forwards to the server at backendURI,
// which must name one host. It fails the test when it cannot, and stops when the test ends.
func Start(tb TB, backendURI string, opt Options) *Proxy {
	tb.Helper()
	u, err := url.Parse(backendURI)
	if err != nil || u.Scheme != "mongodb" || u.Host == "" || strings.Contains(u.Host, ",") {
		tb.Fatalf("rsproxy needs a mongodb:// URI naming one host, got %q", backendURI)
	}
	n := opt.Members
	if n <= 0 {
		n = 3
	}
	set := opt.SetName
	if set == "" {
		set = "dupesrs"
	}
	p := &Proxy{tb: tb, backend: u.Host, base: u, set: set, electionID: bson.NewObjectID(), started: time.Now(),
		done: make(chan struct{}), lag: make([]time.Duration, n), down: make([]bool, n),
		slow: map[string]slowRule{}, budgets: map[int64]time.Duration{}, conns: map[net.Conn]bool{}}
	if !strings.Contains(p.backend, ":") {
		p.backend += ":27017"
	}
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			p.Close()
			tb.Fatalf("rsproxy: listen: %v", err)
		}
		p.members = append(p.members, &member{p: p, i: i, ln: ln, addr: ln.Addr().String()})
	}
	tb.Cleanup(p.Close)
	for _, m := range p.members {
		go m.serve()
	}
	return p
}

// URI is a mongodb:// URI naming every member and the set (replicaSet=…), with the backend
// URI's user, database and other options.
func (p *Proxy) URI() string {
	u := *p.base
	u.Host = strings.Join(p.Addrs(), ",")
	q := u.Query()
	q.Del("directConnection")
	q.Set("replicaSet", p.set)
	u.RawQuery = q.Encode()
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}

// Addrs are the members' host:port, member 0 (the primary) first.
func (p *Proxy) Addrs() []string {
	out := make([]string, len(p.members))
	for i, m := range p.members {
		out[i] = m.addr
	}
	return out
}

// SetName is the replica set's name.
func (p *Proxy) SetName() string { return p.set }

// SetLag puts member's optime d behind the primary's, in replSetGetStatus and in the
// lastWrite of its hello replies (which the driver reads at its next heartbeat). It may be
// changed while the test runs.
func (p *Proxy) SetLag(member int, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lag[member] = d
}

// SetDown makes replSetGetStatus report member as not reachable (health 0, state 8). The
// member's listener still serves: it only changes what the status says.
func (p *Proxy) SetDown(member int, down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down[member] = down
}

// DenyStatus makes replSetGetStatus fail as for a user without the clusterMonitor role
// (code 13, Unauthorized), or answer again.
func (p *Proxy) DenyStatus(deny bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deny = deny
}

// Slow holds every command named cmd, on any member, d before forwarding it, as a busy
// server would (getMore included: name it to slow a cursor midway). With honour, a command
// whose maxTimeMS is shorter than d (for a getMore, what its cursor has left of its opening
// command's maxTimeMS, a cumulative limit on a real server) is answered MaxTimeMSExpired
// (code 50) once that time has passed, as a server honouring maxTimeMS does; without, it is
// forwarded late all the same, as an engine that ignores maxTimeMS does. d 0 removes the rule.
func (p *Proxy) Slow(cmd string, d time.Duration, honour bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if d <= 0 {
		delete(p.slow, cmd)
		return
	}
	p.slow[cmd] = slowRule{d: d, honour: honour}
}

// Commands is every command received so far, in the order received.
func (p *Proxy) Commands() []Seen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Seen(nil), p.seen...)
}

// Reset forgets the commands received so far.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = nil
}

// Close stops the listeners and cuts every connection; the test's cleanup calls it.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	close(p.done)
	conns := p.conns
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	for _, m := range p.members {
		m.ln.Close()
	}
	for c := range conns {
		c.Close()
	}
}

// track remembers connections for Close; false once the proxy is closed.
func (p *Proxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		p.conns[c] = true
	}
	return true
}

func (p *Proxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
	}
}

// record notes a command and returns what was seen of it.
func (p *Proxy) record(member int, f frame, body bson.Raw) Seen {
	s := Seen{Member: member, Body: append(bson.Raw(nil), body...)}
	elems, err := body.Elements()
	if err != nil || len(elems) == 0 {
		return s
	}
	s.Command = elems[0].Key()
	s.Coll, _ = elems[0].Value().StringValueOK()
	if s.Command == "getMore" {
		s.Coll, _ = body.Lookup("collection").StringValueOK()
	}
	s.DB, _ = body.Lookup("$db").StringValueOK()
	if f.opcode() == opQuery {
		s.DB = legacyDB(f)
	}
	if c, err := body.LookupErr("comment"); err == nil {
		if str, ok := c.StringValueOK(); ok {
			s.Comment = str
		} else {
			s.Comment = c.String()
		}
	}
	if rp, ok := body.Lookup("$readPreference").DocumentOK(); ok {
		s.ReadPref, _ = rp.Lookup("mode").StringValueOK()
	}
	if v, err := body.LookupErr("maxTimeMS"); err == nil {
		s.MaxTimeMS, _ = v.AsInt64OK()
	}
	p.mu.Lock()
	p.seen = append(p.seen, s)
	p.mu.Unlock()
	return s
}

// legacyDB is the database of an OP_QUERY's collection name ("admin.$cmd").
func legacyDB(f frame) string {
	i := 20
	j := i
	for j < len(f) && f[j] != 0 {
		j++
	}
	db, _, _ := strings.Cut(string(f[i:j]), ".")
	return db
}
