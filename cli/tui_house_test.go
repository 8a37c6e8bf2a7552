package cli

import (
	"bytes"
	le "encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/dupes-tui/dupes/mongo/mongotest"
)

// TestTUIIdleOnABigGroup opens a 5 000-member group on the live server and measures the
// dupes process's CPU time over 5 s of idling: it must stay under 2 % (the spinner used to
// tick forever after connect, redrawing the group ten times a second).
func TestTUIIdleOnABigGroup(t *testing.T) {
	f := newFixture(t)
	docs := make([]map[string]any, 5000)
	for i := range docs {
		docs[i] = map[string]any{"_id": i, "email": "same@example.com", "n": i % 7, "name": fmt.Sprintf("user %d", i)}
	}
	f.insert("big", docs...)
	s := startTmux(t, fmt.Sprintf("exec %s '%s' --ns %s --key email --backup '%s'", binary, f.uri, f.ns("big"), t.TempDir()))
	s.waitFor("1 group · 4,999 surplus documents")
	s.send("Enter")
	screen := s.waitFor(`"user 0"`) // the first member's fields: the documents are read and laid out
	t.Logf("group screen:\n%s", screen)
	s.send("j") // a key press, then nothing
	time.Sleep(500 * time.Millisecond)
	pid := s.panePID()
	before := cpuTicks(t, pid)
	time.Sleep(5 * time.Second)
	after := cpuTicks(t, pid)
	share := float64(after-before) / clockTicks / 5 * 100
	t.Logf("dupes (pid %d) used %d ticks in 5 s idle: %.2f%% of a core", pid, after-before, share)
	if share >= 2 {
		t.Fatalf("idle CPU %.2f%% of a core on a 5 000-member group, want < 2%%", share)
	}
	s.send("q")
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/PID/stat's times (100 on Linux).
const clockTicks = 100

// cpuTicks is a process's user + system CPU time in clock ticks, from /proc/PID/stat.
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatalf("read the process's CPU time: %v", err)
	}
	// Fields after the command name (which may hold spaces) start after the last ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of stat
	stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	return utime + stime
}

// panePID is the pid of the pane's process (the command was started with exec: dupes).
func (s *tmuxSession) panePID() int {
	s.t.Helper()
	out, err := s.command("display-message", "-p", "-t", s.name, "#{pane_pid}").Output()
	if err != nil {
		s.t.Fatalf("tmux pane pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		s.t.Fatalf("tmux pane pid %q: %v", out, err)
	}
	return pid
}

// TestTUIKeyBurst sends "jjjj" in one write, as SSH delivers a quick burst: the groups
// cursor moves four rows, not none.
func TestTUIKeyBurst(t *testing.T) {
	s := startTmux(t, fmt.Sprintf("%s --demo --ns shop.users --key email; sleep 600", binary))
	s.waitFor("enter open group")
	s.send("-l", "jjjj")
	var screen string
	for try := 0; try < 100; try++ {
		screen = s.screen()
		if row := cursorRow(screen); row == 4 {
			t.Logf("groups screen after jjjj:\n%s", screen)
			s.send("q")
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("jjjj moved the cursor to row %d, want 4:\n%s", cursorRow(screen), screen)
}

// cursorRow is the groups list row the › marker is on (0 = first), or -1.
func cursorRow(screen string) int {
	lines := strings.Split(screen, "\n")
	head := -1
	for i, l := range lines {
		if head < 0 && strings.Contains(l, "KEY email") {
			head = i
			continue
		}
		if head >= 0 && strings.HasPrefix(strings.TrimLeft(l, " "), "›") {
			return i - head - 1
		}
	}
	return -1
}

// TestTUIKeyScansWhenTheSampleFails puts a proxy between dupes and the live server that
// answers the sample's reads with the error mongo-java-server gives when its $sample breaks
// ("Comparison method violates its general contract!"). Only $sample failing, the adapter
// reads the first documents instead; every sample read failing, the key screen warns and,
// --key given, scans anyway. Either way dupes lands on the groups, the error shown once.
func TestTUIKeyScansWhenTheSampleFails(t *testing.T) {
	f := newFixture(t)
	f.insert("users",
		map[string]any{"_id": 1, "email": "a@x.com"}, map[string]any{"_id": 2, "email": "a@x.com"},
		map[string]any{"_id": 3, "email": "b@x.com"})
	for _, every := range []bool{false, true} {
		t.Run(fmt.Sprintf("every-sample-read=%v", every), func(t *testing.T) {
			p := newSampleBreaker(t, f.uri, every)
			s := startTmux(t, fmt.Sprintf("%s '%s' --ns %s --key email --backup '%s'; sleep 600", binary, p.uri, f.ns("users"), t.TempDir()))
			screen := s.waitFor("1 group · 1 surplus document")
			t.Logf("groups screen:\n%s", screen)
			if p.broken() == 0 {
				t.Fatal("the proxy broke no sample: the test tested nothing")
			}
			s.send("Escape")
			screen = s.waitFor("Key of " + f.ns("users"))
			t.Logf("key screen:\n%s", screen)
			n := strings.Count(screen, "Comparison method") // the rest may wrap
			if every && n != 1 {
				t.Fatalf("the sample's error is shown %d times, want once:\n%s", n, screen)
			}
			if !every && n != 0 {
				t.Fatalf("the adapter's fallback read did not hide a failed $sample:\n%s", screen)
			}
			s.send("q")
		})
	}
}

// sampleBreaker is a loopback proxy to the live server that reads the wire protocol's
// OP_MSG frames and answers a sample's reads itself, with a command error.
type sampleBreaker struct {
	t      *testing.T
	uri    string
	target string
	every  bool
	mu     sync.Mutex
	count  int
}

func newSampleBreaker(t *testing.T, uri string, every bool) *sampleBreaker {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil || strings.Contains(u.Host, ",") {
		mongotest.Skipf(t, "the sample breaker needs a single-host URI, got %q", uri)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &sampleBreaker{t: t, target: u.Host, every: every}
	u.Host = ln.Addr().String()
	q := u.Query()
	q.Set("directConnection", "true")
	u.RawQuery = q.Encode()
	p.uri = u.String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *sampleBreaker) broken() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.count
}

const opMsg = 2013

func (p *sampleBreaker) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	var wmu sync.Mutex // the client's writes: the server's replies and ours
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 {
				wmu.Lock()
				_, werr := client.Write(buf[:n])
				wmu.Unlock()
				if werr != nil {
					return
				}
			}
			if err != nil {
				client.Close()
				return
			}
		}
	}()
	for {
		var hdr [16]byte
		if _, err := io.ReadFull(client, hdr[:]); err != nil {
			return
		}
		size := int(le.LittleEndian.Uint32(hdr[0:]))
		if size < 16 || size > 48<<20 {
			return
		}
		rest := make([]byte, size-16)
		if _, err := io.ReadFull(client, rest); err != nil {
			return
		}
		reqID := le.LittleEndian.Uint32(hdr[4:])
		if le.LittleEndian.Uint32(hdr[12:]) == opMsg && p.breaks(rest) {
			reply := errorReply(reqID, "Comparison method violates its general contract!")
			wmu.Lock()
			_, err := client.Write(reply)
			wmu.Unlock()
			if err != nil {
				return
			}
			continue
		}
		if _, err := server.Write(append(hdr[:], rest...)); err != nil {
			return
		}
	}
}

// breaks reports whether an OP_MSG body is a sample's read: an aggregate with $sample, and
// (every) a find with a limit and no filter, the adapter's fallback.
func (p *sampleBreaker) breaks(body []byte) bool {
	if len(body) < 5 || body[4] != 0 { // flag bits, then section kind 0: the command
		return false
	}
	doc := bson.Raw(body[5:])
	elems, err := doc.Elements()
	if err != nil || len(elems) == 0 {
		return false
	}
	hit := false
	switch elems[0].Key() {
	case "aggregate":
		hit = bytes.Contains(doc, []byte("$sample"))
	case "find":
		filter, ok := doc.Lookup("filter").DocumentOK()
		empty := !ok || len(filter) <= 5
		_, limited := doc.Lookup("limit").AsInt64OK()
		hit = p.every && empty && (limited || doc.Lookup("limit").Type != 0)
	}
	if hit {
		p.mu.Lock()
		p.count++
		p.mu.Unlock()
	}
	return hit
}

// errorReply is an OP_MSG answering request reqID with a failed command.
func errorReply(reqID uint32, msg string) []byte {
	doc, _ := bson.Marshal(bson.D{{Key: "ok", Value: 0.0}, {Key: "errmsg", Value: msg}, {Key: "code", Value: int32(1)}, {Key: "codeName", Value: "InternalError"}})
	out := make([]byte, 16+4+1+len(doc))
	le.LittleEndian.PutUint32(out[0:], uint32(len(out)))
	le.LittleEndian.PutUint32(out[4:], reqID+1_000_000)
	le.LittleEndian.PutUint32(out[8:], reqID)
	le.LittleEndian.PutUint32(out[12:], opMsg)
	out[20] = 0
	copy(out[21:], doc)
	return out
}
