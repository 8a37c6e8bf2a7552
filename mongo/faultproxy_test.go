package mongo_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dupes-tui/dupes/mongo"
	"github.com/dupes-tui/dupes/mongo/mongotest"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// faultProxy is a loopback TCP proxy between the driver and the test server that reads the
// wire protocol's message frames and can cut the connection at a chosen command: before
// forwarding it, after the server has run it but before the reply arrives, or in the middle
// of the reply. It serves only 127.0.0.1 and lives until the test ends.
type faultProxy struct {
	t      *testing.T
	ln     net.Listener
	target string

	mu    sync.Mutex
	rule  faultRule
	seen  map[string]int // commands seen per name (on the rule's collection)
	fired bool
	dead  bool // after firing, with rule.kill: refuse everything
	conns map[net.Conn]bool
}

// cutMode says where a rule cuts.
type cutMode int

const (
	cutBefore   cutMode = iota // drop the command: the server never sees it
	cutAfterRun                // forward it, drop the server's reply: it ran, the driver never knows
	cutMidReply                // forward it, pass half the reply, then cut
	hookOnly                   // call hook, forward normally
	// holdDetached cuts the client's side (the driver gives up on the command), calls hook,
	// then sends the command on to the server and waits for its answer, which it drops: a
	// write held up in the network that lands after its sender has moved on.
	holdDetached
)

// faultRule fires once, at the nth command named cmd on collection coll.
type faultRule struct {
	cmd  string
	coll string
	nth  int
	mode cutMode
	// kill keeps the proxy dead after the cut (a network that stays down); otherwise new
	// connections work again (a blip).
	kill bool
	hook func()
	// landed, with holdDetached, is called once the server has answered the held command.
	landed func()
	// inspect, if set, sees the command document when the rule fires.
	inspect func(body bson.Raw)
}

// dialProxy starts a fault proxy in front of the live server and connects the adapter through
// it (timeout 0: the adapter's default), closing the client when the test ends.
func dialProxy(t *testing.T, timeout time.Duration) (*faultProxy, *mongo.Client) {
	t.Helper()
	proxy := newFaultProxy(t, mongotest.URI(t))
	c, err := mongo.Connect(context.Background(), proxy.URI(), mongo.Options{Timeout: timeout})
	if err != nil {
		t.Fatalf("connect through the proxy: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return proxy, c
}

// newFaultProxy listens on a loopback port and forwards to the server at uri.
func newFaultProxy(t *testing.T, uri string) *faultProxy {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil || strings.Contains(u.Host, ",") {
		t.Fatalf("fault proxy needs a single-host URI, got %q", uri)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, target: u.Host, seen: map[string]int{}, conns: map[net.Conn]bool{}}
	t.Cleanup(p.close)
	go p.serve()
	return p
}

// URI is the test server's URI pointed at the proxy.
func (p *faultProxy) URI() string {
	return "mongodb://" + p.ln.Addr().String() + "/?directConnection=true&retryReads=true"
}

// arm installs the rule (one at a time) and resets the counters.
func (p *faultProxy) arm(r faultRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule, p.fired, p.dead = r, false, false
	p.seen = map[string]int{}
}

// didFire reports whether the armed rule fired.
func (p *faultProxy) didFire() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fired
}

func (p *faultProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		dead := p.dead
		p.mu.Unlock()
		if dead {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.track(c, s)
		pc := &proxied{p: p, client: c, server: s}
		go pc.up()
		go pc.down()
	}
}

func (p *faultProxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = true
	}
}

// killAll closes every connection (used when a rule with kill fires).
func (p *faultProxy) killAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	p.dead = true
}

// proxied is one client connection and its server connection.
type proxied struct {
	p              *faultProxy
	client, server net.Conn
	mu             sync.Mutex
	replyMode      cutMode // what to do with the next reply
	replyArmed     bool
}

func (pc *proxied) cut() {
	pc.client.Close()
	pc.server.Close()
}

// up copies client→server one message at a time, applying the rule.
func (pc *proxied) up() {
	defer pc.cut()
	for {
		msg, err := readMsg(pc.client)
		if err != nil {
			return
		}
		mode, fire, kill, hook := pc.p.match(msg)
		if fire && mode == holdDetached {
			pc.detached(msg, hook)
			return
		}
		if fire {
			if hook != nil {
				hook()
			}
			switch mode {
			case cutBefore:
				if kill {
					pc.p.killAll()
				}
				return
			case cutAfterRun, cutMidReply:
				pc.mu.Lock()
				pc.replyMode, pc.replyArmed = mode, true
				pc.mu.Unlock()
			}
		}
		if _, err := pc.server.Write(msg); err != nil {
			return
		}
		if fire && kill && (mode == cutAfterRun || mode == cutMidReply) {
			// Let the reply path cut and kill.
			continue
		}
	}
}

// detached forwards msg after its client has gone (holdDetached). The answer is read here,
// or by down, which then cuts the connection: either way it has come when this returns.
func (pc *proxied) detached(msg []byte, hook func()) {
	pc.client.Close()
	if hook != nil {
		hook()
	}
	if _, err := pc.server.Write(msg); err == nil {
		_, _ = readMsg(pc.server)
	}
	pc.p.mu.Lock()
	landed := pc.p.rule.landed
	pc.p.mu.Unlock()
	if landed != nil {
		landed()
	}
}

// down copies server→client, cutting a reply when up armed it.
func (pc *proxied) down() {
	defer pc.cut()
	for {
		msg, err := readMsg(pc.server)
		if err != nil {
			return
		}
		pc.mu.Lock()
		armed, mode := pc.replyArmed, pc.replyMode
		pc.replyArmed = false
		pc.mu.Unlock()
		if armed {
			if mode == cutMidReply {
				_, _ = pc.client.Write(msg[:len(msg)/2])
			}
			pc.p.mu.Lock()
			kill := pc.p.rule.kill
			pc.p.mu.Unlock()
			if kill {
				pc.p.killAll()
			}
			return
		}
		if _, err := pc.client.Write(msg); err != nil {
			return
		}
	}
}

// match counts a client message and says whether the rule fires on it.
func (p *faultProxy) match(msg []byte) (cutMode, bool, bool, func()) {
	name, coll, body := command(msg)
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.rule
	if p.fired || r.cmd == "" || name != r.cmd || (r.coll != "" && coll != r.coll) {
		return 0, false, false, nil
	}
	p.seen[name]++
	if p.seen[name] != r.nth {
		return 0, false, false, nil
	}
	p.fired = true
	if r.inspect != nil {
		r.inspect(body)
	}
	return r.mode, true, r.kill, r.hook
}

// readMsg reads one wire protocol message: a 16-byte header whose first int32 is the length.
func readMsg(r io.Reader) ([]byte, error) {
	var head [16]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(head[:4]))
	if n < 16 || n > 64<<20 {
		return nil, errors.New("bad wire message length")
	}
	msg := make([]byte, n)
	copy(msg, head[:])
	_, err := io.ReadFull(r, msg[16:])
	return msg, err
}

// command names an OP_MSG's command and its collection (the first element's value), and
// returns its body document.
func command(msg []byte) (string, string, bson.Raw) {
	const opMsg = 2013
	if len(msg) < 21 || binary.LittleEndian.Uint32(msg[12:16]) != opMsg || msg[20] != 0 {
		return "", "", nil
	}
	body := bson.Raw(msg[21:])
	if len(body) < 5 {
		return "", "", nil
	}
	if n := int(binary.LittleEndian.Uint32(body[:4])); n <= len(body) {
		body = body[:n]
	}
	elems, err := body.Elements()
	if err != nil || len(elems) == 0 {
		return "", "", nil
	}
	coll, _ := elems[0].Value().StringValueOK()
	return elems[0].Key(), coll, body
}
